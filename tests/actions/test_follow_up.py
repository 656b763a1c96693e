"""Messages the NLU could not place, read against the previous question (seeded store)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import sessionmaker

from actions.follow_up import NO_PHONE, OWN_ACCOUNT_ONLY, ActionFollowUp
from actions.returns import REFUND_TIMING
from tests.actions.store_picks import signed_in
from tests.rasa_helpers import make_tracker, run_action, slot_events, texts


def after(intent: str) -> list[dict[str, Any]]:
    """The events of an earlier shopper message with that intent."""
    return [{"event": "user", "text": "...", "parse_data": {"intent": {"name": intent}}}]


def test_a_follow_up_to_a_policy_question_gets_that_policy_again(store: sessionmaker):
    tracker = make_tracker(
        text="what about amazon marketplace sellers?",
        intent="nlu_fallback",
        earlier=after("ask_price_match"),
    )
    _, messages = run_action(ActionFollowUp(), tracker)
    assert "cheaper" in texts(messages)[0]


def test_a_follow_up_to_a_refund_question_gets_the_refund_timing(store: sessionmaker):
    tracker = make_tracker(
        text="and does it go back to my card?", intent="inform", earlier=after("refund_status")
    )
    _, messages = run_action(ActionFollowUp(), tracker)
    assert texts(messages) == [REFUND_TIMING]


def test_a_follow_up_to_a_search_searches_further_within_its_budget(store: sessionmaker):
    tracker = make_tracker(
        text="with a hip belt, under 90?",
        intent="nlu_fallback",
        slots={"last_search": {"text": "hiking backpack"}},
        earlier=after("product_search"),
    )
    events, messages = run_action(ActionFollowUp(), tracker)
    assert texts(messages)[0].startswith("Here's what I found under €90.00:")
    assert slot_events(events)["last_search"]["max_price"] == "90"


def test_without_a_question_before_it_the_shopper_is_asked_to_rephrase(store: sessionmaker):
    tracker = make_tracker(text="blorp", intent="nlu_fallback", earlier=after("greet"))
    _, messages = run_action(ActionFollowUp(), tracker)
    assert messages[0]["response"] == "utter_default"


def test_forget_it_in_a_form_ends_the_form(store: sessionmaker):
    tracker = make_tracker(
        text="ah no, forget it, the old one is fine",
        intent="nlu_fallback",
        slots={"order_number": "100123", "requested_slot": "new_street"},
        active_loop="address_form",
    )
    events, messages = run_action(ActionFollowUp(), tracker)
    assert messages == [] and [e["name"] for e in events] == ["action_leave_form"]


def test_an_e_mail_from_a_signed_in_shopper_and_a_phone_number_get_plain_answers(
    store: sessionmaker,
):
    email = make_tracker(
        text="his email is someone@example.org",
        intent="inform",
        entities=[{"entity": "email", "value": "someone@example.org"}],
        metadata=signed_in(1),
    )
    assert texts(run_action(ActionFollowUp(), email)[1]) == [OWN_ACCOUNT_ONLY]
    phone = make_tracker(text="my number is 0151 234 567", intent="inform")
    assert texts(run_action(ActionFollowUp(), phone)[1]) == [NO_PHONE]


def test_an_order_number_is_asked_about_as_an_order(store: sessionmaker):
    tracker = make_tracker(
        text="and what about 100001?",
        intent="nlu_fallback",
        entities=[{"entity": "order_number", "value": "100001"}],
        earlier=after("refund_status"),
    )
    events, messages = run_action(ActionFollowUp(), tracker)
    assert messages == [] and events == [
        {"event": "followup", "name": "order_status_form", "timestamp": None}
    ]
