"""What the shopper channels check before NLU: address, rate, length, and stored metadata."""

from __future__ import annotations

from bot.auth import SITE, issue_shopper_token
from bot.config import load_settings
from bot.keyed_hash import keyed_hash
from bot.rasa_server.chat_channel import conversation_key, may_continue, owner_of
from bot.rasa_server.guard import RateLimiter, client_address, message_metadata, refusal

PROXY = frozenset({"10.0.0.2"})


def test_the_forwarded_address_counts_only_behind_a_trusted_proxy():
    assert client_address("203.0.113.9", "198.51.100.1", PROXY) == "203.0.113.9"
    assert client_address("10.0.0.2", "198.51.100.1", PROXY) == "198.51.100.1"
    # A client cannot hide behind an address it made up: the last untrusted hop counts.
    assert client_address("10.0.0.2", "6.6.6.6, 198.51.100.1, 10.0.0.2", PROXY) == "198.51.100.1"
    assert client_address("10.0.0.2", None, PROXY) == "10.0.0.2"


def test_the_rate_limit_slides_and_is_per_client():
    limiter = RateLimiter(3, window_s=60)
    assert [limiter.allow("a", now=t) for t in (0, 1, 2, 3)] == [True, True, True, False]
    assert limiter.allow("b", now=3)
    assert not limiter.allow("a", now=59.5)
    assert limiter.allow("a", now=60.5)  # the first event left the window


def test_only_proved_identity_and_a_hashed_address_are_stored():
    settings = load_settings()
    token = issue_shopper_token(42, secret=settings.jwt_secret)
    metadata = message_metadata(
        {"shopper_token": token, "display": "x" * 500, "customer_id": 7, "admin": True},
        "198.51.100.1",
        settings,
    )
    assert metadata == {
        "client": keyed_hash(settings.hashing_secret, "client", "198.51.100.1"),
        "customer_id": 42,
        "display": "x" * 200,
    }
    site_cookie = issue_shopper_token(42, secret=settings.jwt_secret, audience=SITE)
    for raw in ({"customer_id": 42}, {"shopper_token": site_cookie}, "not a dict", None):
        assert "customer_id" not in message_metadata(raw, "198.51.100.1", settings)


def test_long_messages_are_refused_with_a_polite_answer():
    settings = load_settings().copy(update={"max_message_chars": 100})
    assert refusal("x" * 100, settings) is None
    assert "too long" in (refusal("x" * 101, settings) or "")


def test_a_conversation_continues_only_with_its_key_and_its_shoppers_token():
    settings = load_settings()
    key = conversation_key(settings.conversation_secret, "c" * 32)
    guest = [{"event": "user", "metadata": {"client": "h"}}]
    mine = [*guest, {"event": "user", "metadata": {"customer_id": 42}}]
    token = issue_shopper_token(42, secret=settings.jwt_secret)
    other = issue_shopper_token(43, secret=settings.jwt_secret)
    assert owner_of(guest) is None and owner_of(mine) == 42
    assert may_continue({"session_key": key}, "c" * 32, guest, settings)
    assert not may_continue({"session_key": key}, "d" * 32, guest, settings)
    assert not may_continue({}, "c" * 32, guest, settings)
    assert not may_continue({"session_key": key}, "c" * 32, mine, settings)
    assert not may_continue({"session_key": key, "shopper_token": other}, "c" * 32, mine, settings)
    assert may_continue({"session_key": key, "shopper_token": token}, "c" * 32, mine, settings)
