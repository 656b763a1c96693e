"""Products in the chat: cards the widget draws, one line each for text-only channels."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.order_text import money
from bot.recommender.client import Pick
from bot.store.models import Product
from bot.store.products import products_by_sku

Card = dict[str, str]

# Channels whose clients draw product cards; every other channel (rasa shell, REST) gets text.
CARD_CHANNELS = frozenset({"socketio"})


def product_card(product: Product, reason: str) -> Card:
    return {
        "sku": product.sku,
        "title": product.title,
        "price": money(product.price),
        "image": product.image_url,
        "url": f"/products/{product.sku}",
        "reason": reason,
    }


def cards_of_picks(session: Session, picks: list[Pick]) -> list[Card]:
    """Cards for the recommendation service's picks that are still for sale, best first."""
    reasons = {p.sku: p.reason for p in picks}
    return [product_card(p, reasons[p.sku]) for p in products_by_sku(session, skus=list(reasons))]


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
