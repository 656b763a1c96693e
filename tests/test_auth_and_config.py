"""Shopper tokens and settings."""

from __future__ import annotations

import time

import jwt
import pytest

from bot.auth import (
    ALGORITHM,
    ISSUER,
    MAX_TTL_S,
    SITE,
    WIDGET,
    issue_shopper_token,
    verify_shopper_token,
)
from bot.config import SECRET_VARIABLES, SettingsError, load_settings
from bot.secrets_file import SECRET_NAMES, install_secrets

SECRET = "a-test-secret-that-is-long-enough-0123456789"


def test_a_store_signed_token_names_the_customer():
    assert verify_shopper_token(issue_shopper_token(42, secret=SECRET), secret=SECRET) == 42


@pytest.mark.parametrize(
    "token",
    [
        issue_shopper_token(42, secret="another-secret-of-the-same-length-0123456"),
        issue_shopper_token(42, secret=SECRET, ttl_s=-60),  # expired (past the leeway)
        jwt.encode({"sub": "42", "exp": int(time.time()) + 60}, SECRET, algorithm=ALGORITHM),
        issue_shopper_token(42, secret=SECRET, audience=SITE),
        jwt.encode(  # no audience
            {"sub": "42", "iss": ISSUER, "iat": int(time.time()), "exp": int(time.time()) + 60},
            SECRET,
            algorithm=ALGORITHM,
        ),
        jwt.encode(  # a lifetime longer than any token may have
            {
                "sub": "42",
                "iss": ISSUER,
                "aud": WIDGET,
                "iat": int(time.time()),
                "exp": int(time.time()) + MAX_TTL_S + 3600,
            },
            SECRET,
            algorithm=ALGORITHM,
        ),
        issue_shopper_token(42, secret=SECRET)[:-3] + "AAA",  # tampered signature
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


def _production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPDESK_ENV", "production")
    for n, variable in enumerate(SECRET_VARIABLES.values()):
        monkeypatch.setenv(variable, f"{n}-a-production-secret-of-enough-length-0123456789")


def test_production_takes_every_secret_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    _production(monkeypatch)
    settings = load_settings()
    assert settings.is_production and settings.jwt_secret.startswith("0-")
    assert len(set(settings.secret_environment().values())) == len(SECRET_VARIABLES)


@pytest.mark.parametrize("variable", list(SECRET_VARIABLES.values()))
@pytest.mark.parametrize("value", [None, "", "short-secret"])
def test_production_refuses_a_missing_or_short_secret(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str | None
):
    _production(monkeypatch)
    if value is None:
        monkeypatch.delenv(variable)
    else:
        monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=variable):
        load_settings()


def test_production_refuses_one_secret_for_two_jobs(monkeypatch: pytest.MonkeyPatch):
    _production(monkeypatch)
    monkeypatch.setenv("SHOPDESK_RELAY_SECRET", load_settings().jwt_secret)
    with pytest.raises(SettingsError, match="different"):
        load_settings()


def test_a_fresh_install_makes_its_own_secrets_readable_only_by_its_owner(tmp_path):
    path = tmp_path / "var" / "secrets.json"
    first = install_secrets(path)
    assert set(first) == set(SECRET_NAMES) and len(set(first.values())) == len(SECRET_NAMES)
    assert all(len(value) >= 32 for value in first.values())
    assert path.stat().st_mode & 0o777 == 0o600
    assert install_secrets(path) == first  # kept, not made anew
    assert install_secrets(tmp_path / "other" / "secrets.json") != first


def test_development_defaults(monkeypatch: pytest.MonkeyPatch):
    for name in (
        "SHOPDESK_ENV",
        "SHOPDESK_DB_URL",
        "SHOPDESK_DB_TIMEOUT",
        *SECRET_VARIABLES.values(),
    ):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert len(settings.jwt_secret) >= 32 and settings.jwt_secret != settings.service_token
    assert load_settings().jwt_secret == settings.jwt_secret  # one install, one secret
    assert settings.store_db_url.startswith("sqlite:///") and settings.db_timeout_s == 3.0
    monkeypatch.setenv("SHOPDESK_DB_TIMEOUT", "soon")
    with pytest.raises(SettingsError, match="SHOPDESK_DB_TIMEOUT must be a number"):
        load_settings()
