"""What every shopper channel checks before a message reaches NLU.

- the client's address (from X-Forwarded-For only when the peer is a trusted load balancer);
- a per-client rate limit (sliding minute, per Rasa process);
- a length cap: a longer message is answered politely and never parsed;
- the metadata Rasa stores with the message: the verified customer id of a valid widget token
  and a keyed hash of the client address, never the token itself or anything else the client
  sent.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from typing import Any

from bot.auth import verify_shopper_token
from bot.config import Settings
from bot.keyed_hash import keyed_hash

TOO_LONG = (
    "That message is too long for me to read ({chars:,} characters). Please keep it under "
    "{limit:,} characters, or split it into a few shorter messages."
)
TOO_FAST = "You're sending messages faster than I can answer. Please wait a moment and try again."
DISPLAY_CHARS = 200
MAX_CLIENTS = 50_000


def client_address(peer: str, forwarded_for: str | None, trusted: frozenset[str]) -> str:
    """The shopper's address: the peer, or the last hop a trusted proxy reports."""
    if peer in trusted and forwarded_for:
        hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
        for hop in reversed(hops):
            if hop not in trusted:
                return hop[:64]
    return peer


class RateLimiter:
    """At most `limit` events per key in any `window_s` seconds; remembers the busiest keys."""

    def __init__(self, limit: int, window_s: float = 60.0) -> None:
        self.limit = limit
        self.window_s = window_s
        self.seen: OrderedDict[str, deque[float]] = OrderedDict()

    def allow(self, key: str, now: float | None = None) -> bool:
        """Count one event for `key`; False (and not counted) when the key is over its limit."""
        now = time.monotonic() if now is None else now
        times = self.seen.pop(key, None) or deque()
        while times and times[0] <= now - self.window_s:
            times.popleft()
        allowed = len(times) < self.limit
        if allowed:
            times.append(now)
        self.seen[key] = times
        while len(self.seen) > MAX_CLIENTS:
            self.seen.popitem(last=False)
        return allowed


def refusal(text: str, settings: Settings) -> str | None:
    """Why a message is not parsed (too long), as the answer the shopper gets; None if fine."""
    if len(text) > settings.max_message_chars:
        return TOO_LONG.format(chars=len(text), limit=settings.max_message_chars)
    return None


def message_metadata(raw: object, client: str, settings: Settings) -> dict[str, Any]:
    """The metadata stored with a shopper message: proved identity, client hash, display text."""
    given = raw if isinstance(raw, dict) else {}
    metadata: dict[str, Any] = {"client": keyed_hash(settings.hashing_secret, "client", client)}
    customer_id = verify_shopper_token(given.get("shopper_token"), secret=settings.jwt_secret)
    if customer_id is not None:
        metadata["customer_id"] = customer_id
    display = given.get("display")
    if isinstance(display, str) and display:
        metadata["display"] = display[:DISPLAY_CHARS]
    return metadata
