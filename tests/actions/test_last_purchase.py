""" "What did I buy last time?": the last order's products as cards, only for its owner."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from actions.order_text import money
from actions.orders import GUEST_ORDERS_HINT, ActionListOrders
from bot.store.models import Order, OrderStatus
from tests.actions.store_picks import pick, signed_in
from tests.rasa_helpers import make_tracker, run_action, slot_events, texts


def last_order_of(store: sessionmaker, customer_id: int) -> tuple[str, list[tuple[str, str]]]:
    """The number of a customer's newest order and (sku, price paid) of its lines."""
    with store() as session:
        order = (
            session.execute(
                select(Order)
                .where(Order.customer_id == customer_id)
                .order_by(Order.created_at.desc(), Order.id.desc())
            )
            .scalars()
            .first()
        )
        return order.number, [(line.product.sku, money(line.unit_price)) for line in order.lines]


def test_a_signed_in_shopper_sees_what_they_bought_last_time(store: sessionmaker):
    customer_id = pick(store, OrderStatus.DELIVERED).customer_id
    number, lines = last_order_of(store, customer_id)
    tracker = make_tracker(
        text="what did I buy last time?",
        intent="list_orders",
        metadata=signed_in(customer_id),
        input_channel="socketio",
    )
    events, messages = run_action(ActionListOrders(), tracker)
    listing, cards = messages
    assert listing["text"].startswith("Your recent orders:")
    custom = cards["custom"]
    assert custom["type"] == "product_cards" and f"order {number}" in custom["text"]
    assert [(c["sku"], c["price"]) for c in custom["products"]] == lines
    assert all(c["reason"].startswith("you bought ") for c in custom["products"])
    assert slot_events(events)["shown_products"] == [sku for sku, _ in lines]


def test_a_guest_sees_only_the_order_they_proved(store: sessionmaker):
    picked = pick(store, OrderStatus.DELIVERED)
    tracker = make_tracker(
        text="what did I get last time",
        intent="list_orders",
        slots={"verified_orders": [picked.number]},
    )
    _, messages = run_action(ActionListOrders(), tracker)
    listing, products = texts(messages)
    assert listing.startswith("The orders you've shown me:")
    assert picked.number in listing and listing.count("\n") == 1  # that order alone
    with store() as session:
        proved = session.execute(select(Order).where(Order.number == picked.number)).scalar_one()
        titles = [line.product.title for line in proved.lines]
    assert titles and all(title in products for title in titles)


def test_no_purchases_are_shown_to_someone_who_has_not_proved_who_they_are(store: sessionmaker):
    events, messages = run_action(
        ActionListOrders(), make_tracker(text="what did I buy last time", intent="list_orders")
    )
    assert texts(messages) == [GUEST_ORDERS_HINT] and events == []
