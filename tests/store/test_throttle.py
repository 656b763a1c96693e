"""Attempts counted in the database: sliding windows, back-off, and nothing in clear."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.handoff.handover import hand_over, handover_keys
from bot.store.models import ThrottleEvent
from bot.store.throttle import (
    SHORT_WINDOW,
    count_attempt,
    over_limit,
    refused_keys,
    throttled_attempts,
    verification_keys,
)

SECRET = "a-hashing-secret-for-the-tests-0123456789"
T0 = datetime(2026, 12, 2, 12, 0, 0)


def keys(email: str = "ana@example.org", number: str = "100001", client: str = "c"):  # type: ignore[no-untyped-def]
    return verification_keys(SECRET, email=email, order_number=number, client=client, attempts=3)


def test_a_key_is_throttled_after_its_attempts_until_a_quiet_window(store: sessionmaker):
    with store.begin() as session:
        for n in range(3):
            assert over_limit(session, keys=keys(), now=T0 + timedelta(minutes=n)) == []
            count_attempt(session, keys=keys(), now=T0 + timedelta(minutes=n))
        throttled = over_limit(session, keys=keys(), now=T0 + timedelta(minutes=3))
        assert {k.scope for k in throttled} == {"verify_email", "verify_order"}
        # Another e-mail with another number from another client is not affected.
        assert over_limit(session, keys=keys("bo@example.org", "100002", "d"), now=T0) == []
        # Back-off: guessing on while throttled keeps the key locked.
        later = T0 + timedelta(minutes=10)
        count_attempt(session, keys=keys(), now=later, locked=keys()[:2])
        assert over_limit(session, keys=keys(), now=T0 + SHORT_WINDOW + timedelta(minutes=5))
        assert over_limit(session, keys=keys(), now=later + SHORT_WINDOW) == []
        assert throttled_attempts(session, since=T0) == {"verify_email": 1, "verify_order": 1}


def test_the_long_window_catches_slow_guessing(store: sessionmaker):
    with store.begin() as session:
        for n in range(12):  # 3 a quarter of an hour never trips the short window...
            now = T0 + SHORT_WINDOW * (n // 2)
            count_attempt(session, keys=keys(), now=now)
        # ...but 12 within a day (4 x 3) does.
        assert over_limit(session, keys=keys(), now=T0 + timedelta(hours=5))


def test_counts_keep_no_e_mail_or_order_number(store: sessionmaker):
    with store.begin() as session:
        count_attempt(session, keys=keys(), now=T0)
        stored = " ".join(r.key_hash for r in session.execute(select(ThrottleEvent)).scalars())
    assert "ana" not in stored and "100001" not in stored and len(stored.split()) == 3


def test_a_client_asking_for_people_again_and_again_opens_nothing_more(store: sessionmaker):
    limits = handover_keys(SECRET, client="c", conversation_id="conv-1")
    with store.begin() as session:
        outcomes = [
            hand_over(
                session,
                conversation_id="conv-1",
                reason="asked for a person",
                transcript=[],
                frustration=[],
                now=T0 + timedelta(minutes=n),
                limits=limits,
            )
            for n in range(3)
        ]
    assert [o.refused for o in outcomes] == [False, False, True]
    assert outcomes[2].case_id is None and outcomes[2].position is None


def test_a_locked_client_cannot_lock_the_e_mails_it_names(store: sessionmaker):
    with store.begin() as session:
        for n in range(6):  # the client's own limit: twice the attempts
            guess = keys(f"nobody{n}@example.org", f"10000{n}")
            count_attempt(session, keys=guess, now=T0)
        victim = keys("victim@example.org", "190000")
        locked = over_limit(session, keys=victim, now=T0)
        assert [k.scope for k in locked] == ["verify_client"]
        counted = refused_keys(victim, locked)
        assert [k.scope for k in counted] == ["verify_client"]
        count_attempt(session, keys=counted, now=T0, locked=locked)
        from_elsewhere = keys("victim@example.org", "190000", client="another")
        assert over_limit(session, keys=from_elsewhere, now=T0 + timedelta(minutes=1)) == []
