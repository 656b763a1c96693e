"""The typed settings: defaults, errors that name the variable, and `python -m bot settings`."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import (
    PROJECT_ROOT,
    SECRET_VARIABLES,
    VAR_DIR,
    Settings,
    SettingsError,
    get_settings,
    load_settings,
    mask_password,
    mask_secret,
)
from bot.rasa_env import rasa_environment


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """No SHOPDESK_* variable set; development secrets in a file of the test's own."""
    for name in list(os.environ):
        if name.startswith("SHOPDESK_"):
            monkeypatch.delenv(name)
    secrets = tmp_path / "var" / "secrets.json"
    monkeypatch.setattr("bot.config.SECRETS_FILE", secrets)
    get_settings.cache_clear()
    factory = logging.getLogRecordFactory()  # the command line installs its log masking
    yield secrets
    logging.setLogRecordFactory(factory)
    get_settings.cache_clear()


def run(*argv: str) -> int:
    with pytest.raises(SystemExit) as exited:
        main(list(argv))
    return int(exited.value.code or 0)


def test_every_variable_has_its_default(clean_env: Path):
    settings = load_settings()
    assert settings.environment == "development" and not settings.is_production
    assert settings.store_db_url == f"sqlite:///{VAR_DIR / 'store.db'}"
    assert settings.tracker_url == f"sqlite:///{VAR_DIR / 'tracker.db'}"
    assert (settings.db_timeout_s, settings.max_message_chars) == (3.0, 1000)
    assert (settings.messages_per_minute, settings.max_verification_attempts) == (60, 5)
    assert settings.review_below == 0.75 and settings.trusted_proxies == frozenset()
    assert settings.recommender_dir == VAR_DIR / "recommender"
    assert settings.rasa_environment() == {
        "SHOPDESK_TRACKER_URL": f"sqlite:///{VAR_DIR / 'tracker.db'}",
        "SHOPDESK_LOCK_STORE": "in_memory",
        "SHOPDESK_REDIS_HOST": "127.0.0.1",
        "SHOPDESK_REDIS_PORT": "6379",
        "SHOPDESK_ACTION_URL": "http://127.0.0.1:5055/webhook",
        "SHOPDESK_MODEL_DIR": "models",
        "SHOPDESK_STORE_ORIGINS": "http://localhost:8000 http://127.0.0.1:8000",
    }
    assert clean_env.exists()  # the development secrets were generated into the file
    assert load_settings().jwt_secret == settings.jwt_secret


def test_values_come_from_their_variables(clean_env: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SHOPDESK_TRUSTED_PROXIES", " 10.0.0.2  10.0.0.3 ")
    monkeypatch.setenv("SHOPDESK_MAX_VERIFICATION_ATTEMPTS", "3.0")
    monkeypatch.setenv("SHOPDESK_RECOMMENDER_DIR", "/tmp/vectors")
    monkeypatch.setenv("SHOPDESK_REDIS_PORT", "6380")
    monkeypatch.setenv("SHOPDESK_DB_TIMEOUT", "")  # empty counts as unset
    settings = load_settings()
    assert settings.trusted_proxies == frozenset({"10.0.0.2", "10.0.0.3"})
    assert settings.max_verification_attempts == 3
    assert settings.recommender_dir == Path("/tmp/vectors")
    assert settings.db_timeout_s == 3.0
    assert rasa_environment()["SHOPDESK_REDIS_PORT"] == "6380"
    with pytest.raises(TypeError):
        settings.db_timeout_s = 1.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SHOPDESK_DB_TIMEOUT", "soon", "SHOPDESK_DB_TIMEOUT must be a number, got 'soon'"),
        ("SHOPDESK_REVIEW_BELOW", "high", "SHOPDESK_REVIEW_BELOW must be a number"),
        ("SHOPDESK_MAX_VERIFICATION_ATTEMPTS", "x", "SHOPDESK_MAX_VERIFICATION_ATTEMPTS must be a"),
        ("SHOPDESK_MESSAGES_PER_MINUTE", "1.5", "SHOPDESK_MESSAGES_PER_MINUTE must be a whole"),
        ("SHOPDESK_MAX_MESSAGE_CHARS", "49", "SHOPDESK_MAX_MESSAGE_CHARS must be at least 50"),
        ("SHOPDESK_MESSAGES_PER_MINUTE", "0", "SHOPDESK_MESSAGES_PER_MINUTE must be at least 1"),
        (
            "SHOPDESK_RECOMMENDER_REFRESH_S",
            "0.1",
            "SHOPDESK_RECOMMENDER_REFRESH_S must be at least",
        ),
        ("SHOPDESK_REDIS_PORT", "70000", "SHOPDESK_REDIS_PORT must be at most 65535"),
        ("SHOPDESK_ENV", "staging", "SHOPDESK_ENV must be 'development' or 'production'"),
        ("SHOPDESK_ENV", "", "SHOPDESK_ENV must be 'development' or 'production'"),
    ],
)
def test_a_value_that_cannot_be_used_names_its_variable(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as refused:
        load_settings()
    assert str(refused.value).startswith(message)


def test_production_never_generates_secrets(clean_env: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SHOPDESK_ENV", "production")
    with pytest.raises(SettingsError, match="SHOPDESK_JWT_SECRET"):
        load_settings()
    assert not clean_env.exists()


def test_masks():
    assert mask_secret("") == ""
    assert mask_secret("short") == "…"
    assert mask_secret("abcdefghijklmnopqrstuvwxyz") == "abcd…"
    assert (
        mask_password("postgresql://shop:s3cr:t@db:5432/store")
        == "postgresql://shop:***@db:5432/store"
    )
    assert mask_password("postgresql://shop@db/store") == "postgresql://shop@db/store"
    assert mask_password("sqlite:////var/store.db") == "sqlite:////var/store.db"


def test_the_settings_command_prints_every_variable_masked(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
):
    secret = "jwt-secret-that-nobody-may-read-0123456789"
    monkeypatch.setenv("SHOPDESK_JWT_SECRET", secret)
    monkeypatch.setenv("SHOPDESK_REST_TOKEN", "rest-token-of-some-length-0123")
    monkeypatch.setenv("SHOPDESK_DB_URL", "postgresql://shop:hunter2@db.internal/store")
    monkeypatch.setenv("SHOPDESK_TRACKER_URL", "postgresql://rasa:swordfish@db.internal/rasa")
    monkeypatch.setenv("SHOPDESK_TRUSTED_PROXIES", "10.0.0.3 10.0.0.2")
    assert run("settings") == 0
    out = capsys.readouterr().out
    lines = dict(line.split("=", 1) for line in out.splitlines())
    assert set(lines) == {Settings.variable(field) for field in Settings.__fields__}
    assert lines["SHOPDESK_JWT_SECRET"] == "jwt-…"
    assert lines["SHOPDESK_REST_TOKEN"] == "rest…"
    assert all(lines[v].endswith("…") for v in SECRET_VARIABLES.values())
    assert lines["SHOPDESK_DB_URL"] == "postgresql://shop:***@db.internal/store"
    assert lines["SHOPDESK_TRACKER_URL"] == "postgresql://rasa:***@db.internal/rasa"
    assert lines["SHOPDESK_TRUSTED_PROXIES"] == "10.0.0.2 10.0.0.3"
    assert lines["SHOPDESK_MAX_MESSAGE_CHARS"] == "1000"
    for hidden in (secret, "hunter2", "swordfish", load_settings().service_token):
        assert hidden not in out


def test_the_settings_command_reports_a_bad_value(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
):
    monkeypatch.setenv("SHOPDESK_RECOMMENDER_ANN_ABOVE", "many")
    assert run("settings") == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "SHOPDESK_RECOMMENDER_ANN_ABOVE must be a whole number, got 'many'" in captured.err


def bot_settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`python -m bot settings` run as its own process with `env`."""
    return subprocess.run(
        [sys.executable, "-m", "bot", "settings"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_python_m_bot_settings(clean_env: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPDESK_")}
    env.update(SHOPDESK_ENV="production", SHOPDESK_REDIS_HOST="redis.internal")
    for n, variable in enumerate(SECRET_VARIABLES.values()):
        env[variable] = f"{n}-a-production-secret-of-enough-length-0123456789"
    done = bot_settings(env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "SHOPDESK_ENV=production" in lines and "SHOPDESK_REDIS_HOST=redis.internal" in lines
    assert "SHOPDESK_JWT_SECRET=0-a-…" in lines
    assert "production-secret" not in done.stdout
    env["SHOPDESK_ENV"] = "staging"
    refused = bot_settings(env)
    assert refused.returncode == 2 and "SHOPDESK_ENV must be" in refused.stderr
