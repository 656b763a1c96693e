"""The console's guards on a seeded store: sign-in throttling and timing, form tokens, audit."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.console.app import came_over_https
from bot.console.csrf import form_token, new_nonce, nonce_or_new, token_valid
from bot.handoff.agents import (
    SIGNIN_FAILURES_PER_CLIENT,
    SIGNIN_FAILURES_PER_USERNAME,
    UNKNOWN_AGENT_HASH,
    create_agent,
    hash_password,
    sign_in,
    throttled_sign_in,
)
from bot.handoff.audit import OPENED_GAP, audit_trail, record, record_opened
from bot.handoff.tickets import open_ticket
from bot.store.models import AgentSession, HandoffTicket, ThrottleEvent
from bot.store.throttle import SHORT_WINDOW

NOW = datetime(2026, 11, 28, 12, 0)
PASSWORD = "correct horse battery"
WRONG = "wrong password!"
SECRET = "a hashing secret for the tests, long enough"
HOME, CAFE = "203.0.113.7", "198.51.100.20"


def attempt(
    session: Session, username: str, password: str, client: str, at: datetime
) -> str | None:
    return throttled_sign_in(
        session, username=username, password=password, client=client, secret=SECRET, now=at
    )


def new_ticket(session: Session, conversation_id: str) -> HandoffTicket:
    return open_ticket(
        session,
        conversation_id=conversation_id,
        reason="asked for a person",
        transcript=[],
        frustration=[0.5],
        now=NOW,
    )


def test_the_stand_in_hash_costs_what_a_real_one_does():
    real = hash_password(PASSWORD).split("$")
    stand_in = UNKNOWN_AGENT_HASH.split("$")
    assert stand_in[:4] == real[:4]  # scheme, n, r, p
    assert [len(part) for part in stand_in[4:]] == [len(part) for part in real[4:]]


def test_an_unknown_username_takes_as_long_as_a_wrong_password(store: sessionmaker):
    with store() as session:
        create_agent(session, username="ana", display_name="Ana", password=PASSWORD, now=NOW)

        def fastest(username: str) -> float:
            times = []
            for _ in range(5):
                started = time.perf_counter()
                assert sign_in(session, username=username, password=WRONG, now=NOW) is None
                times.append(time.perf_counter() - started)
            return min(times)

        known, unknown = fastest("ana"), fastest("nobody")
        # Without the stand-in hash an unknown name answers in a lookup's time, ~1% of scrypt's.
        assert unknown > 0.5 * known, (unknown, known)


def test_failed_signins_throttle_the_username_and_then_the_right_password_fails(
    store: sessionmaker,
):
    with store() as session:
        create_agent(session, username="ana", display_name="Ana", password=PASSWORD, now=NOW)
        create_agent(session, username="bo", display_name="Bo", password=PASSWORD, now=NOW)
        for minute in range(SIGNIN_FAILURES_PER_USERNAME):
            assert attempt(session, "ana", WRONG, HOME, NOW + timedelta(minutes=minute)) is None
        later = NOW + timedelta(minutes=10)
        assert attempt(session, "ANA", PASSWORD, CAFE, later) is None  # from anywhere
        assert session.execute(select(AgentSession)).first() is None
        assert attempt(session, "bo", PASSWORD, HOME, later) is not None  # others sign in

        events = session.execute(select(ThrottleEvent)).scalars().all()
        assert {e.scope for e in events} == {"agent_signin_user", "agent_signin_client"}
        assert not {e.key_hash for e in events} & {"ana", HOME, CAFE}  # keyed hashes only
        assert [e.throttled for e in events if e.scope == "agent_signin_user"][-1]

        # The refused try counted too: the lock lifts a whole quiet window after the last try.
        assert attempt(session, "ana", PASSWORD, HOME, later + SHORT_WINDOW) is not None


def test_failed_signins_throttle_the_client_address(store: sessionmaker):
    with store() as session:
        create_agent(session, username="ana", display_name="Ana", password=PASSWORD, now=NOW)
        for n in range(SIGNIN_FAILURES_PER_CLIENT):
            assert attempt(session, f"guess-{n}", PASSWORD, HOME, NOW) is None
        assert attempt(session, "ana", PASSWORD, HOME, NOW) is None
        assert attempt(session, "ana", PASSWORD, CAFE, NOW) is not None


def test_successful_signins_are_not_counted(store: sessionmaker):
    with store() as session:
        create_agent(session, username="ana", display_name="Ana", password=PASSWORD, now=NOW)
        for _ in range(SIGNIN_FAILURES_PER_USERNAME + 1):
            assert attempt(session, "ana", PASSWORD, HOME, NOW) is not None
        assert session.execute(select(ThrottleEvent)).first() is None


def test_a_form_token_fits_only_its_own_nonce_form_and_secret():
    nonce = new_nonce()
    token = form_token(SECRET, nonce=nonce, form="signin")
    assert token_valid(SECRET, nonce=nonce, form="signin", token=token)
    assert not token_valid(SECRET, nonce=new_nonce(), form="signin", token=token)
    assert not token_valid(SECRET, nonce=nonce, form="signout", token=token)
    assert not token_valid("another secret entirely", nonce=nonce, form="signin", token=token)
    assert not token_valid(SECRET, nonce=nonce, form="signin", token=None)
    assert not token_valid(SECRET, nonce=None, form="signin", token=token)
    flipped = token[:-1] + ("1" if token[-1] == "0" else "0")
    assert not token_valid(SECRET, nonce=nonce, form="signin", token=flipped)
    assert nonce_or_new(nonce) == nonce
    assert nonce_or_new("short") != "short" and nonce_or_new(None) != nonce_or_new(None)


def test_https_is_the_connection_or_what_a_trusted_proxy_reports():
    proxy = frozenset({"10.0.0.1"})
    assert came_over_https("https", None, "203.0.113.7", proxy)
    assert came_over_https("http", "https", "10.0.0.1", proxy)
    assert not came_over_https("http", "https", "203.0.113.7", proxy)  # anyone can send it
    assert not came_over_https("http", "http", "10.0.0.1", proxy)
    assert not came_over_https("http", None, "10.0.0.1", proxy)


def test_the_audit_trail_keeps_who_did_what_to_which_ticket(store: sessionmaker):
    with store() as session:
        ana = create_agent(session, username="ana", display_name="Ana", password=PASSWORD, now=NOW)
        bo = create_agent(session, username="bo", display_name="Bo", password=PASSWORD, now=NOW)
        first, second = new_ticket(session, "c1"), new_ticket(session, "c2")
        record(session, agent_id=ana.id, action="signed_in", now=NOW, detail="via form")
        record(session, agent_id=ana.id, action="took", ticket_id=first.id, now=NOW)
        record(session, agent_id=bo.id, action="replied", ticket_id=second.id, now=NOW)
        record(session, agent_id=ana.id, action="closed", ticket_id=first.id, now=NOW)
        assert [(r.agent_id, r.action) for r in audit_trail(session, ticket_id=first.id)] == [
            (ana.id, "took"),
            (ana.id, "closed"),
        ]
        assert [r.action for r in audit_trail(session, agent_id=bo.id)] == ["replied"]
        assert audit_trail(session, agent_id=ana.id)[0].detail == "via form"
        assert len(audit_trail(session)) == 4
        with pytest.raises(ValueError, match="unknown console action"):
            record(session, agent_id=ana.id, action="deleted", now=NOW)


def test_reading_a_ticket_is_logged_once_per_stretch_of_reading(store: sessionmaker):
    with store() as session:
        ana = create_agent(session, username="ana", display_name="Ana", password=PASSWORD, now=NOW)
        bo = create_agent(session, username="bo", display_name="Bo", password=PASSWORD, now=NOW)
        first, second = new_ticket(session, "c1"), new_ticket(session, "c2")
        minute = timedelta(minutes=1)
        assert record_opened(session, agent_id=ana.id, ticket_id=first.id, now=NOW)
        assert not record_opened(session, agent_id=ana.id, ticket_id=first.id, now=NOW + minute)
        assert record_opened(session, agent_id=bo.id, ticket_id=first.id, now=NOW + minute)
        assert record_opened(session, agent_id=ana.id, ticket_id=second.id, now=NOW + minute)
        back = NOW + OPENED_GAP + minute
        assert record_opened(session, agent_id=ana.id, ticket_id=first.id, now=back)
        opened = [(r.agent_id, r.created_at) for r in audit_trail(session, ticket_id=first.id)]
        assert opened == [(ana.id, NOW), (bo.id, NOW + minute), (ana.id, back)]
