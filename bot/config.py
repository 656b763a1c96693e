"""One typed settings object, read from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.secrets_file import install_secrets

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_ROOT / "var"
SECRETS_FILE = VAR_DIR / "secrets.json"
MIN_SECRET_CHARS = 32
SECRET_VARIABLES = {
    "jwt": "SHOPDESK_JWT_SECRET",
    "service": "SHOPDESK_SERVICE_TOKEN",
    "relay": "SHOPDESK_RELAY_SECRET",
    "conversation": "SHOPDESK_CONVERSATION_SECRET",
    "hashing": "SHOPDESK_HASHING_SECRET",
}


class SettingsError(ValueError):
    """The environment holds a setting that cannot be used."""


@dataclass(frozen=True)
class Settings:
    environment: str
    store_db_url: str
    db_timeout_s: float
    jwt_secret: str
    """HS256 secret the store signs shopper tokens with."""
    service_token: str
    """Bearer token the internal services (action server, recommender) require of callers."""
    relay_secret: str
    """Bearer key the agent console's notices to the Rasa server carry."""
    conversation_secret: str
    """Signs the per-conversation keys that guard a widget conversation's history."""
    hashing_secret: str
    """Keys the hashes that stand for e-mails, order numbers and addresses in throttle counts."""
    rest_token: str
    """Bearer token the REST channel requires; empty: open in development, off in production."""
    trusted_proxies: frozenset[str]
    """Addresses of load balancers whose X-Forwarded-For names the shopper's address."""
    max_message_chars: int
    """Longer shopper messages are answered politely and never reach NLU."""
    messages_per_minute: int
    """Messages one client address may send a minute, per channel and Rasa process."""
    max_verification_attempts: int
    review_below: float
    """Messages classified with less confidence than this go to the NLU review table."""
    chat_url: str
    """The Rasa server the store page's chat widget connects to."""
    rasa_url: str
    """The Rasa server as the store's own processes reach it (the agent console's relay)."""
    recommender_url: str
    """The recommendation service, as the action server reaches it."""
    recommender_dir: Path
    """Where the recommendation service keeps product embeddings and its index."""
    recommender_ann_above: int
    """Catalogs with more products than this are searched through the approximate index."""
    recommender_refresh_s: float
    """How often the recommendation service re-reads the catalog and the orders."""

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    def secret_environment(self) -> dict[str, str]:
        """The secrets as the environment variables that hand them to child processes."""
        values = {
            "jwt": self.jwt_secret,
            "service": self.service_token,
            "relay": self.relay_secret,
            "conversation": self.conversation_secret,
            "hashing": self.hashing_secret,
        }
        return {SECRET_VARIABLES[name]: value for name, value in values.items()}


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    try:
        return float(raw) if raw else default
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from exc


def _int(name: str, default: int, *, minimum: int) -> int:
    raw = os.environ.get(name)
    try:
        value = int(raw) if raw else default
    except ValueError as exc:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from exc
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    return value


def _secrets(*, production: bool) -> dict[str, str]:
    """Each secret from its variable; in development a missing one comes from var/secrets.json.

    Production takes secrets only from the environment: missing, short or repeated ones are
    refused, so no install runs in production on a secret it did not choose.
    """
    given = {name: os.environ.get(variable, "") for name, variable in SECRET_VARIABLES.items()}
    if production:
        for name, variable in SECRET_VARIABLES.items():
            if len(given[name]) < MIN_SECRET_CHARS:
                raise SettingsError(
                    f"set {variable} to a random secret of {MIN_SECRET_CHARS}+ characters"
                )
        if len(set(given.values())) < len(given):
            raise SettingsError("every SHOPDESK_*_SECRET and token must be a different value")
        return given
    generated = install_secrets(SECRETS_FILE) if not all(given.values()) else {}
    return {name: given[name] or generated[name] for name in SECRET_VARIABLES}


def load_settings() -> Settings:
    """Read settings from the environment; refuse development secrets in production."""
    environment = os.environ.get("SHOPDESK_ENV", "development")
    if environment not in ("development", "production"):
        raise SettingsError("SHOPDESK_ENV must be 'development' or 'production'")
    refresh_s = _float("SHOPDESK_RECOMMENDER_REFRESH_S", 60.0)
    if refresh_s < 0.5:
        raise SettingsError("SHOPDESK_RECOMMENDER_REFRESH_S must be at least 0.5 seconds")
    keys = _secrets(production=environment == "production")
    return Settings(
        environment=environment,
        store_db_url=os.environ.get("SHOPDESK_DB_URL", f"sqlite:///{VAR_DIR / 'store.db'}"),
        db_timeout_s=_float("SHOPDESK_DB_TIMEOUT", 3.0),
        jwt_secret=keys["jwt"],
        service_token=keys["service"],
        relay_secret=keys["relay"],
        conversation_secret=keys["conversation"],
        hashing_secret=keys["hashing"],
        rest_token=os.environ.get("SHOPDESK_REST_TOKEN", ""),
        trusted_proxies=frozenset(os.environ.get("SHOPDESK_TRUSTED_PROXIES", "").split()),
        max_message_chars=_int("SHOPDESK_MAX_MESSAGE_CHARS", 1000, minimum=50),
        messages_per_minute=_int("SHOPDESK_MESSAGES_PER_MINUTE", 60, minimum=1),
        max_verification_attempts=int(_float("SHOPDESK_MAX_VERIFICATION_ATTEMPTS", 5)),
        review_below=_float("SHOPDESK_REVIEW_BELOW", 0.75),
        chat_url=os.environ.get("SHOPDESK_CHAT_URL", "http://localhost:5005"),
        rasa_url=os.environ.get("SHOPDESK_RASA_URL", "http://127.0.0.1:5005"),
        recommender_url=os.environ.get("SHOPDESK_RECOMMENDER_URL", "http://127.0.0.1:5056"),
        recommender_dir=Path(
            os.environ.get("SHOPDESK_RECOMMENDER_DIR", "") or VAR_DIR / "recommender"
        ),
        recommender_ann_above=_int("SHOPDESK_RECOMMENDER_ANN_ABOVE", 20_000, minimum=1),
        recommender_refresh_s=refresh_s,
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once."""
    return load_settings()
