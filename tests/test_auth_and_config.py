"""Shopper tokens and settings."""

from __future__ import annotations

import time

import jwt
import pytest

from bot.auth import ALGORITHM, ISSUER, issue_shopper_token, verify_shopper_token
from bot.config import DEV_JWT_SECRET, SettingsError, load_settings

SECRET = "a-test-secret-that-is-long-enough-0123456789"


def test_a_store_signed_token_names_the_customer():
    assert verify_shopper_token(issue_shopper_token(42, secret=SECRET), secret=SECRET) == 42


@pytest.mark.parametrize(
    "token",
    [
        issue_shopper_token(42, secret="another-secret-of-the-same-length-0123456"),
        issue_shopper_token(42, secret=SECRET, ttl_s=-10),
        jwt.encode({"sub": "42", "exp": int(time.time()) + 60}, SECRET, algorithm=ALGORITHM),
        "not-a-token",
        "",
        None,
        12345,
        "x" * 10_000,
    ],
)
def test_anything_but_a_valid_token_is_nobody(token: object):
    assert verify_shopper_token(token, secret=SECRET) is None


def test_unsigned_tokens_are_refused():
    unsigned = jwt.encode(
        {"sub": "42", "iss": ISSUER, "exp": int(time.time()) + 60}, None, algorithm="none"
    )
    assert verify_shopper_token(unsigned, secret=SECRET) is None


def test_production_refuses_the_development_secret(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SHOPDESK_ENV", "production")
    monkeypatch.delenv("SHOPDESK_JWT_SECRET", raising=False)
    with pytest.raises(SettingsError, match="SHOPDESK_JWT_SECRET"):
        load_settings()
    monkeypatch.setenv("SHOPDESK_JWT_SECRET", SECRET)
    assert load_settings().is_production


def test_development_defaults(monkeypatch: pytest.MonkeyPatch):
    for name in ("SHOPDESK_ENV", "SHOPDESK_JWT_SECRET", "SHOPDESK_DB_URL", "SHOPDESK_DB_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.jwt_secret == DEV_JWT_SECRET
    assert settings.store_db_url.startswith("sqlite:///") and settings.db_timeout_s == 3.0
    monkeypatch.setenv("SHOPDESK_DB_TIMEOUT", "soon")
    with pytest.raises(SettingsError, match="SHOPDESK_DB_TIMEOUT must be a number"):
        load_settings()
