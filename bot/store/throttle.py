"""Attempts counted in the database, per key, in sliding windows.

Failed order verifications are counted per e-mail, per order number and per client, so that a
new conversation, `/restart`, `/back` or another Rasa replica resets nothing. A key over any of
its limits is throttled, and every attempt made while throttled holds that key's lock for
another short window, so a client that keeps guessing stays locked out until it stops for a
whole window (the back-off). A refused attempt counts against the keys that refused it and the
requester's own keys (`actor`), never against the e-mails or orders it names on top. Keys are
keyed hashes (bot/keyed_hash.py), never the e-mail or number itself.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.keyed_hash import keyed_hash
from bot.store.models import ThrottleEvent

logger = logging.getLogger(__name__)

SHORT_WINDOW = timedelta(minutes=15)
LONG_WINDOW = timedelta(hours=24)
KEEP_FOR = LONG_WINDOW


@dataclass(frozen=True)
class Key:
    """One thing attempts are counted against, with its limits per short and long window."""

    scope: str
    hash: str
    short_limit: int
    long_limit: int
    actor: bool = False
    """Whether the key names the requester (a client), rather than what it asks about."""


def verification_keys(
    secret: str, *, email: str, order_number: str, client: str, attempts: int
) -> list[Key]:
    """The keys a guest's order verification is counted against (`attempts` per 15 minutes)."""
    return [
        Key("verify_email", keyed_hash(secret, "email", email), attempts, attempts * 4),
        Key("verify_order", keyed_hash(secret, "order", order_number), attempts, attempts * 4),
        Key(
            "verify_client",
            keyed_hash(secret, "client", client),
            attempts * 2,
            attempts * 8,
            actor=True,
        ),
    ]


def requester_keys(
    secret: str,
    *,
    kind: str,
    client: str,
    conversation_id: str,
    per_client: int,
    per_conversation: int,
) -> list[Key]:
    """Limits on how often one client and one conversation may ask for `kind` (15 min, a day)."""
    return [
        Key(
            f"{kind}_{scope}",
            keyed_hash(secret, scope, value),
            limit,
            limit * 4,
            actor=True,
        )
        for scope, value, limit in (
            ("client", client, per_client),
            ("conversation", conversation_id, per_conversation),
        )
    ]


def _count(session: Session, key: Key, since: datetime, *, throttled_only: bool = False) -> int:
    stmt = select(func.count(ThrottleEvent.id)).where(
        ThrottleEvent.scope == key.scope,
        ThrottleEvent.key_hash == key.hash,
        ThrottleEvent.created_at > since,
    )
    if throttled_only:
        stmt = stmt.where(ThrottleEvent.throttled.is_(True))
    return int(session.execute(stmt).scalar() or 0)


def over_limit(session: Session, *, keys: Sequence[Key], now: datetime) -> list[Key]:
    """The keys that used up a window's attempts, or were tried while locked a window ago."""
    return [
        key
        for key in keys
        if _count(session, key, now - SHORT_WINDOW) >= key.short_limit
        or _count(session, key, now - LONG_WINDOW) >= key.long_limit
        or _count(session, key, now - SHORT_WINDOW, throttled_only=True) > 0
    ]


def refused_keys(keys: Sequence[Key], locked: Sequence[Key]) -> list[Key]:
    """What a refused attempt counts against: the keys that refused it and the requester's."""
    return [key for key in keys if key in locked or key.actor]


def count_attempt(
    session: Session, *, keys: Sequence[Key], now: datetime, locked: Sequence[Key] = ()
) -> None:
    """Count one attempt against every key, marking the `locked` ones that refused it.

    Attempts older than the longest window are forgotten.
    """
    session.add_all(
        ThrottleEvent(scope=k.scope, key_hash=k.hash, created_at=now, throttled=k in locked)
        for k in keys
    )
    session.execute(delete(ThrottleEvent).where(ThrottleEvent.created_at < now - KEEP_FOR))
    if locked:
        logger.warning(
            "throttled attempt: %s",
            ", ".join(f"{k.scope}#{k.hash[:12]}" for k in locked),
        )


def admit(session: Session, *, keys: Sequence[Key], now: datetime) -> bool:
    """Count one request against the requester's `keys`; False when it is over a limit."""
    locked = over_limit(session, keys=keys, now=now)
    count_attempt(session, keys=keys, now=now, locked=locked)
    return not locked


def throttled_attempts(session: Session, *, since: datetime) -> dict[str, int]:
    """How many attempts each scope refused since `since` (what a store watches)."""
    stmt = (
        select(ThrottleEvent.scope, func.count(ThrottleEvent.id))
        .where(ThrottleEvent.throttled.is_(True), ThrottleEvent.created_at > since)
        .group_by(ThrottleEvent.scope)
    )
    return {scope: int(n) for scope, n in session.execute(stmt)}
