"""Agent accounts and handoff tickets on a freshly seeded store (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.handoff.agents import (
    AgentError,
    agent_of,
    create_agent,
    hash_password,
    password_matches,
    sign_in,
    sign_out,
)
from bot.handoff.tickets import (
    Line,
    TicketError,
    add_line,
    agents_on_duty,
    assign,
    close,
    lines_after,
    open_ticket,
    open_ticket_of,
    queue_position,
    rate,
    rateable_ticket_of,
    tickets_of,
    waiting_queue,
)
from bot.store.models import AgentSession, TicketState

NOW = datetime(2026, 11, 28, 12, 0)
PASSWORD = "correct horse battery"


def test_passwords_are_salted_scrypt_hashes():
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first != second and first.startswith("scrypt$") and PASSWORD not in first
    assert password_matches(PASSWORD, first)
    assert not password_matches("correct horse battery!", first)
    assert not password_matches(PASSWORD, "plain-text")


def test_agent_accounts_refuse_weak_passwords_and_duplicates(store: sessionmaker):
    with store() as session:
        create_agent(session, username="Ana", display_name="Ana", password=PASSWORD, now=NOW)
        with pytest.raises(AgentError, match="at least 10"):
            create_agent(session, username="bo", display_name="Bo", password="short", now=NOW)
        with pytest.raises(AgentError, match="already"):
            create_agent(session, username="ana", display_name="A", password=PASSWORD, now=NOW)
        with pytest.raises(AgentError, match="letters, digits"):
            create_agent(session, username="a b", display_name="A", password=PASSWORD, now=NOW)


def test_sessions_need_the_password_and_expire(store: sessionmaker):
    with store() as session:
        agent = create_agent(
            session, username="ana", display_name="Ana", password=PASSWORD, now=NOW
        )
        assert sign_in(session, username="ana", password="wrong password!", now=NOW) is None
        assert sign_in(session, username="nobody", password=PASSWORD, now=NOW) is None
        token = sign_in(session, username="ANA", password=PASSWORD, now=NOW)
        assert token is not None
        stored = session.execute(select(AgentSession.token_hash)).scalars().all()
        assert token not in stored  # only its hash is kept
        assert agent_of(session, token=token, now=NOW + timedelta(hours=1)) == agent
        assert agent_of(session, token=token, now=NOW + timedelta(hours=9)) is None
        assert agent_of(session, token="forged", now=NOW) is None
        sign_out(session, token=token)
        assert agent_of(session, token=token, now=NOW) is None


def transcript() -> list[Line]:
    return [
        Line("shopper", "where is my order", NOW, {"label": "neutral"}),
        Line("assistant", "What's your order number?", NOW),
        Line("shopper", "THIRD TIME I ASK", NOW, {"label": "negative"}),
    ]


def test_a_ticket_keeps_the_transcript_and_waits_in_frustration_order(store: sessionmaker):
    with store() as session:
        calm = open_ticket(
            session,
            conversation_id="c1",
            reason="asked for a person",
            transcript=transcript(),
            frustration=[0.1, 0.2],
            now=NOW,
        )
        angry = open_ticket(
            session,
            conversation_id="c2",
            reason="frustration",
            transcript=transcript(),
            frustration=[0.5, 1.3],
            now=NOW + timedelta(minutes=5),
            customer_id=3,
        )
        again = open_ticket(
            session, conversation_id="c1", reason="again", transcript=[], frustration=[], now=NOW
        )
        assert again.id == calm.id  # one open ticket per conversation
        assert [t.id for t in waiting_queue(session)] == [angry.id, calm.id]
        assert queue_position(session, ticket=calm) == 2
        assert [m.author for m in calm.messages] == ["shopper", "assistant", "shopper"]
        assert calm.messages[2].sentiment == {"label": "negative"}


def test_assign_close_and_rate(store: sessionmaker):
    with store() as session:
        ana = create_agent(session, username="ana", display_name="Ana", password=PASSWORD, now=NOW)
        bo = create_agent(session, username="bo", display_name="Bo", password=PASSWORD, now=NOW)
        assert agents_on_duty(session, now=NOW) == 0
        ana.on_duty = True
        assert agents_on_duty(session, now=NOW) == 0  # on duty but not signed in
        assert sign_in(session, username="ana", password=PASSWORD, now=NOW)
        sign_in(session, username="ana", password=PASSWORD, now=NOW)  # a second browser
        assert agents_on_duty(session, now=NOW) == 1
        assert agents_on_duty(session, now=NOW + timedelta(hours=9)) == 0  # session expired
        ticket = open_ticket(
            session, conversation_id="c3", reason="r", transcript=[], frustration=[1.0], now=NOW
        )
        with pytest.raises(TicketError):
            rate(session, ticket=ticket, rating=5, now=NOW)
        assign(session, ticket=ticket, agent=ana, now=NOW)
        assert ticket.state == TicketState.ASSIGNED and waiting_queue(session) == []
        assert tickets_of(session, agent=ana) == [ticket] and tickets_of(session, agent=bo) == []
        with pytest.raises(TicketError, match="another agent"):
            assign(session, ticket=ticket, agent=bo, now=NOW)
        with pytest.raises(TicketError):
            close(session, ticket=ticket, agent=bo, note="closed", now=NOW)
        assert rateable_ticket_of(session, conversation_id="c3") is None  # not closed yet
        close(session, ticket=ticket, agent=ana, note="handed back to the assistant", now=NOW)
        assert open_ticket_of(session, conversation_id="c3") is None
        assert rateable_ticket_of(session, conversation_id="c3") == ticket
        with pytest.raises(TicketError, match="1 to 5"):
            rate(session, ticket=ticket, rating=6, now=NOW)
        rate(session, ticket=ticket, rating=4, now=NOW)
        assert rateable_ticket_of(session, conversation_id="c3") is None
        with pytest.raises(TicketError):
            rate(session, ticket=ticket, rating=5, now=NOW)
        assert [m.text for m in ticket.messages] == ["Ana joined", "handed back to the assistant"]
        session.commit()
    with store() as session:
        assert session.get(type(ticket), ticket.id).rating == 4


def test_a_shopper_message_is_kept_once_and_lines_are_read_in_order(store: sessionmaker):
    with store() as session:
        ticket = open_ticket(
            session, conversation_id="c4", reason="r", transcript=[], frustration=[], now=NOW
        )
        first = add_line(session, ticket=ticket, line=Line("shopper", "hello?", NOW, None, "m-1"))
        again = add_line(session, ticket=ticket, line=Line("shopper", "hello?", NOW, None, "m-1"))
        agent = add_line(session, ticket=ticket, line=Line("agent", "Hi, I'm here", NOW))
        assert again.id == first.id
        assert [m.text for m in lines_after(session, ticket=ticket)] == ["hello?", "Hi, I'm here"]
        assert lines_after(session, ticket=ticket, after=first.id) == [agent]
