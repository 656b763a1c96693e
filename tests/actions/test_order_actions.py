"""Order status, the shopper's order list and cancelling, against the seeded store."""

from __future__ import annotations

from rasa_sdk.events import SlotSet
from sqlalchemy.orm import sessionmaker

from actions.orders import (
    GUEST_ORDERS_HINT,
    ActionAskOrderNumber,
    ActionCancelOrder,
    ActionListOrders,
    ActionOrderStatus,
    ValidateCancelForm,
)
from bot.store.models import OrderStatus
from tests.actions.store_picks import order_status, pick, signed_in
from tests.rasa_helpers import make_tracker, run_action, slot_events, texts


def verified_guest(number: str, **slots: object) -> dict[str, object]:
    return {"order_number": number, "verified_orders": [number], **slots}


def test_status_of_a_shipped_order_shows_carrier_tracking_and_events(store: sessionmaker):
    order = pick(store, OrderStatus.IN_TRANSIT)
    events, messages = run_action(
        ActionOrderStatus(), make_tracker(slots=verified_guest(order.number))
    )
    [text] = texts(messages)
    assert text.startswith(f"Order {order.number} (placed ")
    assert "is on its way." in text
    assert "tracking number" in text and "Estimated delivery" in text
    assert "In transit to the delivery depot" in text
    assert order.email not in text
    # The order shown stays in focus: a next task that names no order is about it.
    assert events == [SlotSet("order_number", None), SlotSet("order_in_focus", order.number)]


def test_a_signed_in_shopper_without_a_number_gets_their_open_orders(store: sessionmaker):
    order = pick(store, OrderStatus.PAID)
    _, messages = run_action(
        ActionOrderStatus(), make_tracker(metadata=signed_in(order.customer_id))
    )
    [message] = messages
    assert order.number in message["text"] or any(
        order.number in b["payload"] for b in message.get("buttons", [])
    )


def test_list_orders_needs_a_signed_in_shopper(store: sessionmaker):
    _, messages = run_action(ActionListOrders(), make_tracker())
    assert texts(messages) == [GUEST_ORDERS_HINT]
    order = pick(store, OrderStatus.DELIVERED)
    _, messages = run_action(
        ActionListOrders(), make_tracker(metadata=signed_in(order.customer_id))
    )
    text = texts(messages)[0]
    assert text.startswith("Your recent orders:") and order.number in text


def test_signed_in_shopper_chooses_among_cancellable_orders(store: sessionmaker):
    order = pick(store, OrderStatus.PAID)
    _, messages = run_action(
        ActionAskOrderNumber(),
        make_tracker(metadata=signed_in(order.customer_id), active_loop="cancel_form"),
    )
    [message] = messages
    payloads = [b["payload"] for b in message["buttons"]]
    assert f'/cancel_order{{"order_number":"{order.number}"}}' in payloads


def test_cancel_a_paid_order_after_confirmation(store: sessionmaker):
    order = pick(store, OrderStatus.PAID)
    events, messages = run_action(
        ActionCancelOrder(), make_tracker(slots=verified_guest(order.number, confirm=True))
    )
    [text] = texts(messages)
    assert text.startswith(f"Done: order {order.number} (")
    assert "is cancelled" in text
    assert order_status(store, order.number) is OrderStatus.CANCELLED
    assert events == [
        SlotSet("order_number", None),
        SlotSet("confirm", None),
        SlotSet("order_blocked", None),
        SlotSet("order_in_focus", order.number),
    ]


def test_saying_no_changes_nothing(store: sessionmaker):
    order = pick(store, OrderStatus.PENDING)
    _, messages = run_action(
        ActionCancelOrder(), make_tracker(slots=verified_guest(order.number, confirm=False))
    )
    assert texts(messages) == ["Okay, I've left the order as it is."]
    assert order_status(store, order.number) is OrderStatus.PENDING


def test_a_shipped_order_is_not_cancelled_and_gets_the_return_path(store: sessionmaker):
    order = pick(store, OrderStatus.SHIPPED)
    tracker = make_tracker(
        slots={"order_number": order.number, "email": order.email, "requested_slot": "email"},
        active_loop="cancel_form",
    )
    tracker.events = [{"event": "slot", "name": "email", "value": order.email}]
    events, _ = run_action(ValidateCancelForm(), tracker)
    assert slot_events(events)["order_blocked"] is True
    assert slot_events(events)["requested_slot"] is None  # no confirmation question
    _, messages = run_action(
        ActionCancelOrder(), make_tracker(slots=verified_guest(order.number, order_blocked=True))
    )
    [text] = texts(messages)
    assert "can't be cancelled any more" in text and "return it" in text
    assert order_status(store, order.number) is OrderStatus.SHIPPED


def test_order_details_mask_the_email(store: sessionmaker):
    order = pick(store, OrderStatus.DELIVERED)
    _, messages = run_action(ActionOrderStatus(), make_tracker(slots=verified_guest(order.number)))
    [text] = texts(messages)
    local, domain_part = order.email.split("@")
    assert f"{local[0]}***{local[-1]}@{domain_part}" in text
    assert order.email not in text
