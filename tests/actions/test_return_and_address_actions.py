"""Returns within the policy window, refund status, and changing a delivery address."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from actions.address import ActionChangeAddress, ValidateAddressForm
from actions.confirmations import ActionAskConfirm
from actions.returns import (
    REFUND_TIMING,
    ActionAskReturnItem,
    ActionRefundStatus,
    ActionReturnOrder,
    ValidateReturnForm,
)
from bot.store.models import Order, OrderStatus, ReturnRequest
from tests.actions.store_picks import order_status, pick
from tests.rasa_helpers import make_tracker, run_action, slot_events, texts


def return_slots(number: str, line_id: int, confirm: bool = True) -> dict[str, object]:
    return {
        "order_number": number,
        "verified_orders": [number],
        "return_item": str(line_id),
        "return_reason": "Too small",
        "refund_method": "store_credit",
        "confirm": confirm,
    }


def test_return_inside_the_window_is_created(store: sessionmaker):
    order = pick(store, OrderStatus.DELIVERED, recent_days=20)
    slots = return_slots(order.number, order.line_ids[0])
    _, asked = run_action(ActionAskConfirm(), make_tracker(slots=slots, active_loop="return_form"))
    assert texts(asked)[0].startswith("To confirm: return ")
    assert "refunded to store credit" in texts(asked)[0]
    events, messages = run_action(ActionReturnOrder(), make_tracker(slots=slots))
    [text] = texts(messages)
    assert text.startswith(f"Your return for order {order.number} is registered (return #")
    with store() as session:
        saved = session.execute(select(Order).where(Order.number == order.number)).scalar_one()
        request: ReturnRequest = saved.returns[-1]
        assert saved.status is OrderStatus.RETURN_REQUESTED
        assert (request.reason, request.refund_method) == ("Too small", "store_credit")
        assert [rl.order_line_id for rl in request.lines] == [order.line_ids[0]]
    assert {e["name"] for e in events} >= {"return_item", "return_reason", "confirm"}


def test_return_outside_the_window_is_refused_before_any_question(store: sessionmaker):
    order = pick(store, OrderStatus.DELIVERED, older_days=60)
    tracker = make_tracker(
        slots={"order_number": order.number, "email": order.email, "requested_slot": "email"},
        active_loop="return_form",
    )
    tracker.events = [{"event": "slot", "name": "email", "value": order.email}]
    events, _ = run_action(ValidateReturnForm(), tracker)
    assert slot_events(events)["order_blocked"] is True
    assert slot_events(events)["requested_slot"] is None
    _, messages = run_action(
        ActionReturnOrder(),
        make_tracker(
            slots={
                "order_number": order.number,
                "verified_orders": [order.number],
                "order_blocked": True,
            }
        ),
    )
    [text] = texts(messages)
    assert "outside our 30-day return window" in text
    assert order_status(store, order.number) is OrderStatus.DELIVERED


def test_refund_status_of_a_refunded_order(store: sessionmaker):
    order = pick(store, OrderStatus.REFUNDED)
    _, messages = run_action(
        ActionRefundStatus(),
        make_tracker(slots={"order_number": order.number, "verified_orders": [order.number]}),
    )
    [text] = texts(messages)
    assert text.startswith("We refunded €") and f"for order {order.number}" in text


def test_refund_status_without_a_proved_order_shows_no_order_only_the_timing(
    store: sessionmaker,
):
    order = pick(store, OrderStatus.REFUNDED)
    tracker = make_tracker(text=f"has the refund for {order.number} come?", intent="refund_status")
    _, messages = run_action(ActionRefundStatus(), tracker)
    assert texts(messages) == [REFUND_TIMING]


def test_address_change_is_validated_confirmed_and_saved(store: sessionmaker):
    order = pick(store, OrderStatus.PAID)
    tracker = make_tracker(
        slots={"new_street": "no number here", "requested_slot": "new_street"},
        active_loop="address_form",
    )
    tracker.events = [{"event": "slot", "name": "new_street", "value": "no number here"}]
    events, messages = run_action(ValidateAddressForm(), tracker)
    assert slot_events(events)["new_street"] is None
    assert "house number" in texts(messages)[0]
    slots = {
        "order_number": order.number,
        "verified_orders": [order.number],
        "new_street": "7 Elm Street",
        "new_postcode": "10117",
        "new_city": "Berlin",
        "confirm": True,
    }
    _, messages = run_action(ActionChangeAddress(), make_tracker(slots=slots))
    assert texts(messages) == [
        f"Done: the delivery address of order {order.number} is now 7*** *** ***, 10117 Berlin."
    ]
    with store() as session:
        saved = session.execute(select(Order).where(Order.number == order.number)).scalar_one()
        assert (saved.ship_line1, saved.ship_postcode, saved.ship_city) == (
            "7 Elm Street",
            "10117",
            "Berlin",
        )


def test_return_form_understands_items_reasons_and_refund_words(store: sessionmaker):
    order = pick(store, OrderStatus.DELIVERED, recent_days=20)
    base = {"order_number": order.number, "verified_orders": [order.number]}
    _, asked = run_action(
        ActionAskReturnItem(), make_tracker(slots=base, active_loop="return_form")
    )
    payloads = [b["payload"] for b in asked[0]["buttons"]]
    assert f'/inform{{"return_item":"{order.line_ids[0]}"}}' in payloads

    def validate(slot: str, value: str) -> tuple[dict, list[str]]:
        tracker = make_tracker(
            slots={**base, slot: value, "requested_slot": slot}, active_loop="return_form"
        )
        tracker.events = [{"event": "slot", "name": slot, "value": value}]
        events, messages = run_action(ValidateReturnForm(), tracker)
        return slot_events(events), texts(messages)

    assert validate("return_item", "all of them")[0]["return_item"] == ",".join(
        str(i) for i in order.line_ids
    )
    assert validate("return_item", "the banana")[0]["return_item"] is None
    assert validate("refund_method", "put it back on my card please")[0]["refund_method"] == (
        "original_payment"
    )
    assert validate("refund_method", "a voucher is fine")[0]["refund_method"] == "store_credit"
    slots, said = validate("refund_method", "whatever")
    assert slots["refund_method"] is None and "original payment method" in said[0]
    assert validate("return_reason", "it arrived damaged")[0]["return_reason"] == (
        "it arrived damaged"
    )
