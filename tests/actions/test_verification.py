"""No order data before the shopper proves it is theirs; the same answer for wrong and unknown."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from actions.orders import ActionOrderStatus, ValidateCancelForm, ValidateOrderStatusForm
from actions.replies import BAD_EMAIL, BAD_ORDER_NUMBER, LOCKED, NOT_FOUND, NOT_IN_ACCOUNT
from bot.store.models import Order, OrderStatus
from tests.actions.store_picks import pick, signed_in
from tests.rasa_helpers import domain, make_tracker, run_action, slot_events, texts


def validate(slots: dict, metadata: dict | None = None, requested: str = "email"):
    tracker = make_tracker(
        intent="inform",
        slots={**slots, "requested_slot": requested},
        metadata=metadata,
        active_loop="order_status_form",
    )
    # Slots the shopper gave in this turn are the ones the form validates.
    tracker.events = [
        {"event": "action", "name": "action_listen"},
        *({"event": "slot", "name": k, "value": v} for k, v in slots.items()),
    ]
    return run_action(ValidateOrderStatusForm(), tracker)


def test_a_guest_with_the_right_email_is_verified(store: sessionmaker):
    order = pick(store, OrderStatus.SHIPPED)
    events, messages = validate({"order_number": order.number, "email": order.email.upper()})
    assert messages == []
    assert slot_events(events) == {
        "order_number": order.number,
        "order_blocked": False,
        "email": order.email,
        "verified_orders": [order.number],
        "requested_slot": None,
    }


def test_wrong_email_and_unknown_order_get_the_same_answer(store: sessionmaker):
    order = pick(store, OrderStatus.SHIPPED)
    other = pick(store, OrderStatus.DELIVERED)
    wrong_pair, said_wrong = validate({"order_number": order.number, "email": other.email})
    unknown, said_unknown = validate({"order_number": "199999", "email": order.email})
    assert texts(said_wrong) == texts(said_unknown) == [NOT_FOUND]
    for events in (wrong_pair, unknown):
        slots = slot_events(events)
        assert slots["email"] is None  # asked again; the number stays for a corrected e-mail
        assert "order_number" not in slots or slots["order_number"] is not None
        assert slots["verification_failures"] == 1.0
        assert "verified_orders" not in slots


def test_five_failures_stop_the_questions_and_offer_a_person(store: sessionmaker):
    order = pick(store, OrderStatus.SHIPPED)
    events, _ = validate(
        {"order_number": order.number, "email": "nobody@example.org", "verification_failures": 4.0}
    )
    slots = slot_events(events)
    assert slots["verification_locked"] is True
    assert slots["requested_slot"] is None  # the form ends
    after, messages = run_action(
        ActionOrderStatus(), make_tracker(slots={"verification_locked": True})
    )
    assert texts(messages) == [LOCKED]
    assert messages[0]["buttons"][0]["payload"] == "/request_human"
    assert after == []


def test_a_signed_in_shopper_needs_no_email_but_only_sees_their_own_orders(store: sessionmaker):
    mine = pick(store, OrderStatus.IN_TRANSIT)
    theirs = next(
        o
        for o in (pick(store, OrderStatus.DELIVERED), pick(store, OrderStatus.PAID))
        if o.customer_id != mine.customer_id
    )
    vouched = signed_in(mine.customer_id)
    tracker = make_tracker(metadata=vouched, slots={"order_number": mine.number})
    required = asyncio.run(
        ValidateOrderStatusForm().required_slots(["order_number", "email"], None, tracker, domain())
    )  # type: ignore[arg-type]
    assert required == ["order_number"]
    events, messages = validate(
        {"order_number": theirs.number}, metadata=vouched, requested="order_number"
    )
    assert texts(messages) == [NOT_IN_ACCOUNT]
    assert slot_events(events)["order_number"] is None
    assert "customer_id" not in slot_events(events)  # identity is never a slot


def test_order_status_shows_nothing_for_an_unproven_order(store: sessionmaker):
    order = pick(store, OrderStatus.SHIPPED)
    _, messages = run_action(
        ActionOrderStatus(), make_tracker(slots={"order_number": order.number})
    )
    assert texts(messages) == [NOT_IN_ACCOUNT]
    assert order.email not in " ".join(texts(messages))


@pytest.mark.parametrize(
    ("order_number", "email"),
    [
        ("100001' OR '1'='1", "x@example.com' OR 1=1 --"),
        ("100001; DROP TABLE orders", "'; DELETE FROM customers; --@example.com"),
        ("<script>alert(1)</script>", "a@b.c<script>"),
    ],
)
def test_injection_strings_change_nothing_and_reveal_nothing(
    store: sessionmaker, order_number: str, email: str
):
    with store() as session:
        before = session.execute(select(func.count(Order.id))).scalar()
    events, messages = validate({"order_number": order_number, "email": email})
    slots = slot_events(events)
    assert "verified_orders" not in slots
    assert slots["email"] is None
    assert set(texts(messages)) <= {BAD_EMAIL, BAD_ORDER_NUMBER}
    with store() as session:
        assert session.execute(select(func.count(Order.id))).scalar() == before


def _cancel_form_after_status(slots: dict, metadata: dict | None = None):
    """The cancel form starting with no order named, after an order was shown."""
    tracker = make_tracker(
        text="then just cancel it",
        intent="cancel_order",
        slots=slots,
        metadata=metadata,
        active_loop="cancel_form",
    )
    tracker.events = [{"event": "action", "name": "action_listen"}]
    return run_action(ValidateCancelForm(), tracker)


def test_a_next_task_is_about_the_proved_order_in_focus_without_new_proof(store: sessionmaker):
    order = pick(store, OrderStatus.PAID)
    events, messages = _cancel_form_after_status(
        {"order_in_focus": order.number, "verified_orders": [order.number]}
    )
    slots = slot_events(events)
    assert slots["order_number"] == order.number and slots["requested_slot"] == "confirm"
    assert "email" not in slots and messages == []


def test_an_order_in_focus_that_was_never_proved_is_not_used(store: sessionmaker):
    order = pick(store, OrderStatus.PAID)
    events, _ = _cancel_form_after_status({"order_in_focus": order.number})
    assert slot_events(events).get("order_number") is None  # so the form asks for it
    mine = _cancel_form_after_status(
        {"order_in_focus": order.number}, metadata=signed_in(order.customer_id)
    )
    assert slot_events(mine[0])["order_number"] == order.number
