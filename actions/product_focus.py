"""What the shopper is looking at: the products just shown, and the search that found them.

Follow-ups ("more like this", "cheaper", "in blue", "what goes with it") are about the product in
focus: the one a card's button names, else the one shown that the shopper points at ("the second
one"), else one the shopper names, else the first product shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from sqlalchemy.orm import Session

from actions.base import as_text
from actions.ordinals import nth
from actions.product_cards import Card
from bot.store.models import Product
from bot.store.products import (
    ProductQuery,
    find_product,
    product_by_sku,
    products_by_sku,
    search_words,
)

SHOWN_PRODUCTS = "shown_products"
LAST_SEARCH = "last_search"
SKU_ENTITY = "sku"
PRICE_FIELDS = ("min_price", "max_price")
QUERY_FIELDS = ("text", "category", "brand", "colour", "size", *PRICE_FIELDS)


def pointed_at(text: str, shown_skus: list[str]) -> str | None:
    """The shown product "the second one" / "number 2" points at, if the text points at one."""
    return nth(text, shown_skus)


@dataclass(frozen=True)
class Focus:
    """The product a follow-up is about, read out of the store session."""

    id: int
    sku: str
    title: str
    price: Decimal
    category: str
    in_stock: frozenset[tuple[str, str]]
    """(colour, size) of every variant in stock, lower case."""

    @property
    def the_title(self) -> str:
        """ "the Pro Rain Jacket", but "The North Face Pro Rain Jacket" (no "the The")."""
        return self.title if self.title.lower().startswith("the ") else f"the {self.title}"

    @property
    def the_title_capitalised(self) -> str:
        return self.the_title[:1].upper() + self.the_title[1:]

    def has(self, *, colour: str | None, size: str | None) -> bool:
        return any(
            (colour is None or c == colour.lower()) and (size is None or s == size.lower())
            for c, s in self.in_stock
        )


def focus_from(product: Product) -> Focus:
    return Focus(
        id=product.id,
        sku=product.sku,
        title=product.title,
        price=Decimal(product.price),
        category=product.category,
        in_stock=frozenset(
            (v.colour.lower(), v.size.lower()) for v in product.variants if v.stock > 0
        ),
    )


def _sku_entity(tracker: Tracker) -> str | None:
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == SKU_ENTITY and as_text(entity.get("value")):
            return as_text(entity.get("value"))
    return None


def focus_of(session: Session, tracker: Tracker) -> Focus | None:
    """The product in focus, or None when the shopper has not shown or named one."""
    shown_skus = [str(s) for s in tracker.get_slot(SHOWN_PRODUCTS) or []]
    sku = _sku_entity(tracker) or pointed_at(
        str(tracker.latest_message.get("text") or ""), shown_skus
    )
    if sku is not None:
        product = product_by_sku(session, sku=sku)
        return focus_from(product) if product else None
    on_show = products_by_sku(session, skus=shown_skus)
    name = " ".join(filter(None, (as_text(tracker.get_slot(s)) for s in ("brand", "product"))))
    words = search_words(name)
    if words:  # "a cheaper backpack": the backpack shown, else the store's best match
        named = next((p for p in on_show if _named_by(p, words)), None)
        named = named or find_product(session, name=name)
        if named is not None:
            return focus_from(named)
    return focus_from(on_show[0]) if on_show else None


def _named_by(product: Product, words: list[str]) -> bool:
    text = f"{product.brand} {product.title}".lower()
    return all(word in text for word in words)


def shown(cards: list[Card]) -> list[EventType]:
    return [SlotSet(SHOWN_PRODUCTS, [c["sku"] for c in cards] or None)]


def searched(query: ProductQuery | None) -> list[EventType]:
    """Remember the search the products came from (None: they did not come from one)."""
    if query is None:
        return [SlotSet(LAST_SEARCH, None)]
    saved = {name: getattr(query, name) for name in QUERY_FIELDS}
    return [SlotSet(LAST_SEARCH, {k: str(v) for k, v in saved.items() if v not in (None, "")})]


def _price(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None


def last_search(tracker: Tracker) -> ProductQuery | None:
    saved = tracker.get_slot(LAST_SEARCH)
    if not isinstance(saved, dict):
        return None
    values: dict[str, Any] = {k: as_text(v) or None for k, v in saved.items() if k in QUERY_FIELDS}
    for name in PRICE_FIELDS:
        values[name] = _price(values.get(name))
    return ProductQuery(**values)
