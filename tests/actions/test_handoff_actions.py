"""Offering a person and handing over, against a freshly seeded store."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from actions.handoff import OFFER, ActionHandOver, ActionOfferHuman
from bot.store.models import CaseKind, SupportCase
from tests.actions.store_picks import token_for
from tests.rasa_helpers import make_tracker, run_action, texts


def test_the_offer_asks_with_yes_and_no_buttons():
    events, messages = run_action(ActionOfferHuman(), make_tracker(text="USELESS BOT"))
    [message] = messages
    assert message["text"] == OFFER
    assert [b["payload"] for b in message["buttons"]] == ["/affirm", "/deny"]
    assert events == []


def test_handing_over_records_a_request_for_a_person(store: sessionmaker):
    tracker = make_tracker(text="yes please", intent="affirm", metadata=token_for(7))
    _, messages = run_action(ActionHandOver(), tracker)
    with store() as session:
        case = session.execute(select(SupportCase)).scalar_one()
    assert (case.kind, case.customer_id, case.conversation_id) == (
        CaseKind.HANDOFF_REQUEST,
        7,
        "conversation-under-test",
    )
    assert f"#{case.id}" in texts(messages)[0]
