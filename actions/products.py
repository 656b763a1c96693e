"""Finding products by description, category, brand, colour, size and price; product details."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.base import StoreAction, as_text, reset
from actions.identity import Identity
from actions.order_text import money
from actions.product_cards import Card, cards_of_picks, product_card, show_products
from actions.product_focus import SHOWN_PRODUCTS, searched, shown
from actions.recommender_access import PICKS, ask_recommender
from actions.store_access import in_store
from bot.store.models import Product
from bot.store.products import (
    ProductQuery,
    best_sellers,
    find_product,
    search_products,
    search_words,
)

SEARCH_SLOTS = ("product", "category", "brand", "colour", "size", "max_price", "min_price")
NOTHING_FOUND = (
    "I couldn't find anything matching that in stock. "
    "Try fewer details, or another colour, size or budget."
)


def price(value: object) -> Decimal | None:
    match = re.search(r"\d+(?:[.,]\d{1,2})?", as_text(value))
    try:
        return Decimal(match.group(0).replace(",", ".")) if match else None
    except InvalidOperation:
        return None


def match_reason(product: Product, words: list[str]) -> str:
    """Why a product is shown: the shopper's words it matches, else its brand and category."""
    text = f"{product.title} {product.category} {product.brand}".lower()
    hits = [w for w in words if w in text]
    return f"matches '{' '.join(hits)}'" if hits else f"{product.brand} · {product.category}"


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


async def search_cards(query: ProductQuery, identity: Identity) -> list[Card]:
    """Products for a query: the recommendation service's ranking, else the store's search."""
    picks = await ask_recommender("/search", recommender_params(query, identity.customer_id))
    words = search_words(query.text or "")

    def search(session: Session) -> list[Card]:
        if picks is not None:
            return cards_of_picks(session, picks)
        found = search_products(session, query=query, limit=PICKS)
        if not found:  # the words were too specific: the best sellers within the filters
            found = best_sellers(session, query=query, limit=PICKS)
        return [product_card(p, match_reason(p, words)) for p in found]

    return await in_store(search)


class ActionProductSearch(StoreAction):
    def name(self) -> str:
        return "action_product_search"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, identity: Identity
    ) -> list[EventType]:
        query = query_of(tracker)
        cards = await search_cards(query, identity)
        if cards:
            show_products(dispatcher, tracker, "Here's what I found:", cards)
        else:
            dispatcher.utter_message(text=NOTHING_FOUND)
        return reset(*SEARCH_SLOTS) + shown(cards) + searched(query)


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

        def details(session: Session) -> tuple[str, str | None]:
            product = find_product(session, name=name)
            if product is None:
                return "I couldn't find that product. Could you give me its name or brand?", None
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
            text = f"{product.title}, {money(product.price)}. {product.description}\n{stock}"
            return text, product.sku

        text, sku = await in_store(details)
        dispatcher.utter_message(text=text)
        focus = [SlotSet(SHOWN_PRODUCTS, [sku])] if sku else []
        return reset(*SEARCH_SLOTS) + focus + searched(None)
