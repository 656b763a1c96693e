"""Finding products by description, category, brand, colour, size and price; product details."""

from __future__ import annotations

import logging
import re
from decimal import Decimal, InvalidOperation

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.base import StoreAction, as_text, reset
from actions.identity import Identity
from actions.order_text import money
from actions.store_access import in_store
from bot.config import get_settings
from bot.recommender.client import RecommenderUnavailable, get_picks
from bot.store.models import Product
from bot.store.products import (
    ProductQuery,
    best_sellers,
    find_product,
    products_by_sku,
    search_products,
    search_words,
)

logger = logging.getLogger(__name__)

SEARCH_SLOTS = ("product", "category", "brand", "colour", "size", "max_price", "min_price")


def price(value: object) -> Decimal | None:
    match = re.search(r"\d+(?:[.,]\d{1,2})?", as_text(value))
    try:
        return Decimal(match.group(0).replace(",", ".")) if match else None
    except InvalidOperation:
        return None


# Channels whose clients draw product cards; every other channel (rasa shell, REST) gets text.
CARD_CHANNELS = frozenset({"socketio"})


def product_card(product: Product, reason: str) -> dict[str, str]:
    return {
        "sku": product.sku,
        "title": product.title,
        "price": money(product.price),
        "image": product.image_url,
        "url": f"/products/{product.sku}",
        "reason": reason,
    }


def match_reason(product: Product, words: list[str]) -> str:
    """Why a product is shown: the shopper's words it matches, else its brand and category."""
    text = f"{product.title} {product.category} {product.brand}".lower()
    hits = [w for w in words if w in text]
    return f"matches '{' '.join(hits)}'" if hits else f"{product.brand} · {product.category}"


def show_products(
    dispatcher: CollectingDispatcher, tracker: Tracker, intro: str, cards: list[dict[str, str]]
) -> None:
    """Product cards for the chat widget, or one line per product for text-only channels."""
    if tracker.get_latest_input_channel() in CARD_CHANNELS:
        dispatcher.utter_message(
            json_message={"type": "product_cards", "text": intro, "products": cards}
        )
    else:
        lines = [f"- {c['title']}, {c['price']} ({c['url']})" for c in cards]
        dispatcher.utter_message(text="\n".join([intro, *lines]))


def recommender_params(query: ProductQuery, customer_id: int | None) -> dict[str, object]:
    """The recommendation service's search parameters for a shopper's query."""
    return {
        "q": query.text or query.category or "popular",
        "category": query.category,
        "brand": query.brand,
        "colour": query.colour,
        "size": query.size,
        "min_price": query.min_price,
        "max_price": query.max_price,
        "customer_id": customer_id,
        "limit": 5,
    }


def query_of(tracker: Tracker) -> ProductQuery:
    return ProductQuery(
        text=as_text(tracker.get_slot("product")) or tracker.latest_message.get("text"),
        category=as_text(tracker.get_slot("category")) or None,
        brand=as_text(tracker.get_slot("brand")) or None,
        colour=as_text(tracker.get_slot("colour")) or None,
        size=as_text(tracker.get_slot("size")) or None,
        min_price=price(tracker.get_slot("min_price")),
        max_price=price(tracker.get_slot("max_price")),
    )


class ActionProductSearch(StoreAction):
    def name(self) -> str:
        return "action_product_search"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, identity: Identity
    ) -> list[EventType]:
        query = query_of(tracker)
        words = search_words(query.text or "")
        try:
            picks = await get_picks(
                get_settings().recommender_url,
                "/search",
                recommender_params(query, identity.customer_id),
            )
        except RecommenderUnavailable as exc:
            logger.warning("recommendations unavailable (%s): searching the store", exc)
            picks = None

        def search(session: Session) -> list[dict[str, str]]:
            if picks is not None:
                reasons = {p.sku: p.reason for p in picks}
                found = products_by_sku(session, skus=list(reasons))
                return [product_card(p, reasons[p.sku]) for p in found]
            found = search_products(session, query=query, limit=5)
            if not found:  # the words were too specific: the best sellers within the filters
                found = best_sellers(session, query=query, limit=5)
            return [product_card(p, match_reason(p, words)) for p in found]

        cards = await in_store(search)
        if cards:
            show_products(dispatcher, tracker, "Here's what I found:", cards)
        else:
            dispatcher.utter_message(
                text="I couldn't find anything matching that in stock. "
                "Try fewer details, or another colour, size or budget."
            )
        return reset(*SEARCH_SLOTS)


class ActionProductDetails(StoreAction):
    def name(self) -> str:
        return "action_product_details"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, identity: Identity
    ) -> list[EventType]:
        name = " ".join(
            filter(None, (as_text(tracker.get_slot(s)) for s in ("brand", "product")))
        ) or tracker.latest_message.get("text", "")
        size = as_text(tracker.get_slot("size")).upper()

        def details(session: Session) -> str:
            product = find_product(session, name=name)
            if product is None:
                return "I couldn't find that product. Could you give me its name or brand?"
            in_stock = [v for v in product.variants if v.stock > 0]
            sizes = sorted({v.size for v in in_stock})
            colours = sorted({v.colour for v in in_stock})
            stock = (
                f"In stock in {', '.join(colours)}; sizes {', '.join(sizes)}."
                if in_stock
                else "It's out of stock at the moment."
            )
            if size and in_stock:
                stock += (
                    f" Size {size} is available."
                    if size in sizes
                    else f" Size {size} is sold out, sorry."
                )
            return f"{product.title}, {money(product.price)}. {product.description}\n{stock}"

        dispatcher.utter_message(text=await in_store(details))
        return reset(*SEARCH_SLOTS)
