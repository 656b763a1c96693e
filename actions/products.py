"""Finding products by description, category, brand, colour, size and price; product details."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal, InvalidOperation

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.base import StoreAction, as_text, reset
from actions.identity import Identity
from actions.order_text import money
from actions.product_cards import Card, cards_of_picks, product_card, show_products
from actions.product_focus import SHOWN_PRODUCTS, pointed_at, searched, shown
from actions.recommender_access import PICKS, ask_recommender
from actions.store_access import in_store
from bot.store.models import Product
from bot.store.products import (
    ProductQuery,
    best_sellers,
    find_product,
    product_by_sku,
    search_products,
    search_words,
)

PRONOUN = re.compile(r"\b(it|this|that|these|those|one)\b", re.IGNORECASE)
SEARCH_SLOTS = ("product", "category", "brand", "colour", "size", "max_price", "min_price")
NOT_CARRIED = (
    "Sorry, we don't seem to carry anything like '{what}'. We sell outdoor and sports gear: "
    "running, hiking, camping, cycling, swimming, yoga and fitness, and the clothing for them."
)
MAX_KIND_WORDS = 2
"""A search of at most this many words, with no catalog term in it, that matches no product
names a kind of product we don't sell."""
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


BUDGET_WORDS = re.compile(
    r"[€$£]|\d\s*(?:eur|euros?|dollars?|bucks)\b|\b(?:budget|under|below|less|cheaper|max(?:imum)?"
    r"|up to|at most|tops|over|above|more than|at least|around|about|between|price[sd]?|costs?"
    r"|spend|afford)\b",
    re.IGNORECASE,
)


def budget(tracker: Tracker, slot: str) -> Decimal | None:
    """A price bound from its slot; a number in this message is one only if the message speaks
    of money ("my daughter is 12" sets no budget, "under 50" does)."""
    said = {e.get("entity") for e in tracker.latest_message.get("entities") or []}
    if slot in said and not BUDGET_WORDS.search(str(tracker.latest_message.get("text") or "")):
        return None
    return price(tracker.get_slot(slot))


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
        min_price=budget(tracker, "min_price"),
        max_price=budget(tracker, "max_price"),
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


async def show_search(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    identity: Identity,
    query: ProductQuery,
    *,
    found: str,
    none: str,
) -> list[EventType]:
    """Search, show what was found under `found` (or say `none`), and remember the search."""
    cards = await search_cards(query, identity)
    if cards:
        show_products(dispatcher, tracker, found, cards)
    else:
        dispatcher.utter_message(text=none)
    return reset(*SEARCH_SLOTS) + shown(cards) + searched(query)


def matches_words(cards: list[Card]) -> bool:
    """Whether any product shown contains the words the shopper searched for."""
    return any(str(card["reason"]).startswith("matches") for card in cards)


def budget_text(query: ProductQuery) -> str:
    if query.max_price is not None:
        return f" under {money(query.max_price)}"
    return f" over {money(query.min_price)}" if query.min_price is not None else ""


class ActionProductSearch(StoreAction):
    """A search; a budget nothing fits is widened, and a kind of product we don't sell is said."""

    def name(self) -> str:
        return "action_product_search"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, identity: Identity
    ) -> list[EventType]:
        query = query_of(tracker)
        cards = await search_cards(query, identity)
        words = search_words(query.text or "")
        intro = "Here's what I found:"
        if cards and words and not matches_words(cards) and budget_text(query):
            wider = replace(query, max_price=None, min_price=None)
            wider_cards = await search_cards(wider, identity)
            if matches_words(wider_cards):
                intro = f"There's nothing like that{budget_text(query)}, sorry. The closest:"
                query, cards = wider, wider_cards
        named_nothing = not (query.category or query.brand or tracker.get_slot("product"))
        if (
            cards
            and named_nothing
            and 0 < len(words) <= MAX_KIND_WORDS
            and not matches_words(cards)
        ):
            dispatcher.utter_message(text=NOT_CARRIED.format(what=" ".join(words)))
            cards = []
        elif cards:
            show_products(dispatcher, tracker, intro, cards)
        else:
            dispatcher.utter_message(text=NOTHING_FOUND)
        return reset(*SEARCH_SLOTS) + shown(cards) + searched(query)


class ActionProductDetails(StoreAction):
    def name(self) -> str:
        return "action_product_details"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, identity: Identity
    ) -> list[EventType]:
        named = " ".join(filter(None, (as_text(tracker.get_slot(s)) for s in ("brand", "product"))))
        said = str(tracker.latest_message.get("text") or "")
        shown_skus = [str(s) for s in tracker.get_slot(SHOWN_PRODUCTS) or []]
        pointed = pointed_at(said, shown_skus)
        if pointed is None and not named and PRONOUN.search(said):
            pointed = next(iter(shown_skus), None)
        size = as_text(tracker.get_slot("size")).upper()

        def details(session: Session) -> tuple[str, str | None]:
            if pointed and not named:
                product = product_by_sku(session, sku=pointed)
            else:
                product = find_product(session, name=named or said)
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
