"""Products in the chat: cards the widget draws, one line each for text-only channels."""

from __future__ import annotations

from decimal import Decimal

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.order_text import money
from bot.recommender.client import Pick
from bot.store.models import Product

Card = dict[str, str]

# Channels whose clients draw product cards; every other channel (rasa shell, REST) gets text.
CARD_CHANNELS = frozenset({"socketio"})


def card(*, sku: str, title: str, price: Decimal, image_url: str, reason: str) -> Card:
    """The card the widget draws for a product: the one place its fields are made."""
    return {
        "sku": sku,
        "title": title,
        "price": money(price),
        "image": image_url,
        "url": f"/products/{sku}",
        "reason": reason,
    }


def product_card(product: Product, reason: str) -> Card:
    """The card of a product read from the store (the answers without the recommender)."""
    return card(
        sku=product.sku,
        title=product.title,
        price=product.price,
        image_url=product.image_url,
        reason=reason,
    )


def pick_card(pick: Pick) -> Card:
    """The card of a product the recommendation service picked, from its answer alone."""
    return card(
        sku=pick.sku,
        title=pick.title,
        price=pick.price,
        image_url=pick.image_url,
        reason=pick.reason,
    )


def pick_cards(picks: list[Pick]) -> list[Card]:
    """Cards for the recommendation service's picks, best first; no store read.

    The service ranks only the active products of its last catalog refresh
    (`SHOPDESK_RECOMMENDER_REFRESH_S`), so what it picks is for sale.
    """
    return [pick_card(p) for p in picks]


def cards_of_picks(session: Session, picks: list[Pick]) -> list[Card]:
    """`pick_cards(picks)`: `session` is not read (callers in a store session may pass theirs)."""
    return pick_cards(picks)


def show_products(
    dispatcher: CollectingDispatcher, tracker: Tracker, intro: str, cards: list[Card]
) -> None:
    """Product cards for the chat widget, or one line per product for text-only channels."""
    if tracker.get_latest_input_channel() in CARD_CHANNELS:
        dispatcher.utter_message(
            json_message={"type": "product_cards", "text": intro, "products": cards}
        )
    else:
        lines = [f"- {c['title']}, {c['price']} ({c['url']}): {c['reason']}" for c in cards]
        dispatcher.utter_message(text="\n".join([intro, *lines]))
