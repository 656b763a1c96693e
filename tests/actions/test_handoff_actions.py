"""Offering a person, handing over, e-mail answers and ratings, against a freshly seeded store."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from actions.handoff import (
    EMAIL_DECLINED,
    EMAIL_UNKNOWN,
    OFFER,
    RATING_RANGE,
    ActionEmailAnswer,
    ActionHandOver,
    ActionOfferHuman,
    ActionStoreRating,
)
from bot.handoff.agents import create_agent, sign_in
from bot.handoff.tickets import assign, close, open_ticket
from bot.store.models import CaseKind, Customer, HandoffTicket, SupportCase, TicketState
from tests.actions.store_picks import signed_in
from tests.rasa_helpers import SENDER, make_tracker, run_action, slot_events, texts

PASSWORD = "a long enough password"
EARLIER = [
    {
        "event": "user",
        "timestamp": 1_790_000_000,
        "text": "where is my order, THIRD TIME I ASK",
        "message_id": "m-1",
        "parse_data": {
            "intent": {"name": "order_status"},
            "sentiment": {"label": "negative", "scores": {"negative": 0.97}},
        },
    },
    {"event": "bot", "timestamp": 1_790_000_001, "text": "Which order do you mean?"},
]


def on_duty(store: sessionmaker, username: str = "ana") -> None:
    with store.begin() as session:
        agent = create_agent(
            session, username=username, display_name="Ana", password=PASSWORD, now=datetime.utcnow()
        )
        agent.on_duty = True
        sign_in(session, username=username, password=PASSWORD, now=datetime.utcnow())


def test_the_offer_asks_with_yes_and_no_buttons():
    events, messages = run_action(ActionOfferHuman(), make_tracker(text="USELESS BOT"))
    [message] = messages
    assert message["text"] == OFFER
    assert [b["payload"] for b in message["buttons"]] == ["/affirm", "/deny"]
    assert events == []


def test_with_no_one_on_duty_a_case_keeps_the_transcript_and_offers_e_mail(store: sessionmaker):
    tracker = make_tracker(
        text="I want a person", intent="request_human", metadata=signed_in(7), earlier=EARLIER
    )
    events, messages = run_action(ActionHandOver(), tracker)
    with store() as session:
        case = session.execute(select(SupportCase)).scalar_one()
        assert session.execute(select(HandoffTicket)).scalar() is None
    assert (case.kind, case.customer_id, case.conversation_id) == (
        CaseKind.HANDOFF_REQUEST,
        7,
        SENDER,
    )
    assert "shopper: where is my order, THIRD TIME I ASK" in case.transcript
    assert "assistant: Which order do you mean?" in case.transcript
    assert "shopper: I want a person" in case.transcript
    [message] = messages
    assert "no one from our team is online" in message["text"] and f"#{case.id}" in message["text"]
    assert [b["payload"] for b in message["buttons"]] == ["/affirm", "/deny"]
    assert message["custom"] == {"type": "handoff", "state": "no_agent", "case": case.id}
    assert slot_events(events)["handoff"] == "no_agent"
    assert not any(e["event"] == "pause" for e in events)


def test_with_an_agent_on_duty_the_conversation_queues_and_the_assistant_pauses(
    store: sessionmaker,
):
    on_duty(store)
    first = make_tracker(text="yes please", intent="affirm", metadata=signed_in(7), earlier=EARLIER)
    events, messages = run_action(ActionHandOver(), first)
    assert slot_events(events)["handoff"] == "agent"
    assert events[-1]["event"] == "pause"
    [message] = messages
    assert "number 1 in the queue" in message["text"]
    assert message["custom"] == {"type": "handoff", "state": "waiting", "position": 1}
    with store() as session:
        ticket = session.execute(select(HandoffTicket)).scalar_one()
        assert (ticket.state, ticket.customer_id) == (TicketState.WAITING, 7)
        assert [(m.author, m.text) for m in ticket.messages] == [
            ("shopper", "where is my order, THIRD TIME I ASK"),
            ("assistant", "Which order do you mean?"),
            ("shopper", "yes please"),
        ]
        assert ticket.messages[0].sentiment["label"] == "negative"
        assert len(ticket.frustration) == 2 and ticket.frustration[0] > 0.5
        assert session.execute(select(SupportCase)).scalar() is None
    other = make_tracker(text="a human please", intent="request_human", sender="another-one")
    _, messages = run_action(ActionHandOver(), other)
    assert "number 2 in the queue" in texts(messages)[0]


def no_agent_case(store: sessionmaker, **tracker_args: object) -> int:
    run_action(
        ActionHandOver(), make_tracker(text="a person", intent="request_human", **tracker_args)
    )
    with store() as session:
        return session.execute(select(SupportCase.id)).scalar_one()


def test_a_signed_in_shopper_gets_the_answer_by_e_mail(store: sessionmaker):
    case_id = no_agent_case(store, metadata=signed_in(7))
    tracker = make_tracker(
        text="yes", intent="affirm", metadata=signed_in(7), slots={"handoff": "no_agent"}
    )
    events, messages = run_action(ActionEmailAnswer(), tracker)
    with store() as session:
        email = session.get(Customer, 7).email
        assert session.get(SupportCase, case_id).reply_email == email
    assert f"#{case_id}" in texts(messages)[0] and email not in texts(messages)[0]
    assert email.split("@")[1] in texts(messages)[0]  # masked: m***z@example.com
    assert slot_events(events)["handoff"] is None


def test_a_guest_who_proved_nothing_is_not_written_to(store: sessionmaker):
    case_id = no_agent_case(store)
    tracker = make_tracker(
        text="yes", intent="affirm", slots={"handoff": "no_agent", "email": "someone@else.com"}
    )
    _, messages = run_action(ActionEmailAnswer(), tracker)
    assert texts(messages) == [EMAIL_UNKNOWN.format(case=case_id)]
    with store() as session:
        assert session.get(SupportCase, case_id).reply_email is None


def test_declining_the_e_mail_answer_keeps_the_case(store: sessionmaker):
    case_id = no_agent_case(store, metadata=signed_in(7))
    tracker = make_tracker(text="no", intent="deny", metadata=signed_in(7))
    events, messages = run_action(ActionEmailAnswer(), tracker)
    assert texts(messages) == [EMAIL_DECLINED.format(case=case_id)]
    assert slot_events(events)["handoff"] is None
    with store() as session:
        assert session.get(SupportCase, case_id).reply_email is None


def rating(value: object) -> list[dict[str, object]]:
    return [{"entity": "rating", "value": value}]


@pytest.fixture
def closed_ticket(store: sessionmaker) -> int:
    now = datetime.utcnow() - timedelta(minutes=1)
    with store.begin() as session:
        agent = create_agent(session, username="bo", display_name="Bo", password=PASSWORD, now=now)
        ticket = open_ticket(
            session, conversation_id=SENDER, reason="r", transcript=[], frustration=[], now=now
        )
        assign(session, ticket=ticket, agent=agent, now=now)
        close(session, ticket=ticket, agent=agent, note="handed back", now=now)
        return ticket.id


def test_a_rating_is_stored_once_for_the_closed_ticket(store: sessionmaker, closed_ticket: int):
    tracker = make_tracker(text='/rate_conversation{"rating": 4}', entities=rating(4))
    _, messages = run_action(ActionStoreRating(), tracker)
    assert "Bo 4 out of 5" in texts(messages)[0]
    _, again = run_action(ActionStoreRating(), make_tracker(entities=rating(1)))
    assert "no recent conversation" in texts(again)[0]
    with store() as session:
        assert session.get(HandoffTicket, closed_ticket).rating == 4


@pytest.mark.parametrize("value", [0, 6, 4.5, "five", None])
def test_a_rating_outside_one_to_five_changes_nothing(
    store: sessionmaker, closed_ticket: int, value: object
):
    _, messages = run_action(ActionStoreRating(), make_tracker(entities=rating(value)))
    assert texts(messages) == [RATING_RANGE]
    with store() as session:
        assert session.get(HandoffTicket, closed_ticket).rating is None


def test_accepting_the_policys_offer_puts_its_trajectory_on_the_ticket(store: sessionmaker):
    on_duty(store)
    # Rasa stores the escalation policy's prediction metadata on its offer's action event.
    offer = {
        "event": "action",
        "timestamp": 1_790_000_002,
        "name": "action_offer_human",
        "policy": "EscalationPolicy",
        "confidence": 1.0,
        "metadata": {"frustration": [0.52, 1.37]},
    }
    listen = {"event": "action", "timestamp": 1_790_000_004, "name": "action_listen"}
    said_offer = {"event": "bot", "timestamp": 1_790_000_003, "text": OFFER}
    tracker = make_tracker(
        text="yes please", intent="affirm", earlier=[*EARLIER, offer, said_offer, listen]
    )
    run_action(ActionHandOver(), tracker)
    with store() as session:
        ticket = session.execute(select(HandoffTicket)).scalar_one()
        assert ticket.frustration == [0.52, 1.37]
        assert [m.author for m in ticket.messages] == [
            "shopper",
            "assistant",
            "assistant",
            "shopper",
        ]
