"""Password help never resets in chat; leaving a form forgets its half-collected answers."""

from __future__ import annotations

from actions.support import FORM_SLOTS, ActionAccountHelp, ActionLeaveForm
from tests.rasa_helpers import make_tracker, run_action, slot_events, texts


def test_password_help_points_to_the_reset_link():
    events, messages = run_action(ActionAccountHelp(), make_tracker(intent="reset_password"))
    assert "never reset passwords in chat" in texts(messages)[0]
    assert events == []


def test_leaving_a_form_clears_its_slots_and_says_nothing_changed():
    tracker = make_tracker(
        intent="stop",
        slots={"order_number": "100010", "confirm": True, "verified_orders": ["100010"]},
    )
    events, messages = run_action(ActionLeaveForm(), tracker)
    assert messages[0]["response"] == "utter_form_stopped"
    assert events[0]["event"] == "active_loop" and events[0]["name"] is None  # the form ends
    assert slot_events(events) == dict.fromkeys(("requested_slot", *FORM_SLOTS))
    assert "verified_orders" not in slot_events(events)  # proof of identity is kept
