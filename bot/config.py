"""One typed settings object, read from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_ROOT / "var"
DEV_JWT_SECRET = "shopdesk-development-secret-change-me"


class SettingsError(ValueError):
    """The environment holds a setting that cannot be used."""


@dataclass(frozen=True)
class Settings:
    environment: str
    store_db_url: str
    db_timeout_s: float
    jwt_secret: str
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


def load_settings() -> Settings:
    """Read settings from the environment; refuse development secrets in production."""
    environment = os.environ.get("SHOPDESK_ENV", "development")
    if environment not in ("development", "production"):
        raise SettingsError("SHOPDESK_ENV must be 'development' or 'production'")
    refresh_s = _float("SHOPDESK_RECOMMENDER_REFRESH_S", 60.0)
    if refresh_s < 0.5:
        raise SettingsError("SHOPDESK_RECOMMENDER_REFRESH_S must be at least 0.5 seconds")
    jwt_secret = os.environ.get("SHOPDESK_JWT_SECRET", DEV_JWT_SECRET)
    if environment == "production" and (jwt_secret == DEV_JWT_SECRET or len(jwt_secret) < 32):
        raise SettingsError("set SHOPDESK_JWT_SECRET to a random secret of 32+ characters")
    return Settings(
        environment=environment,
        store_db_url=os.environ.get("SHOPDESK_DB_URL", f"sqlite:///{VAR_DIR / 'store.db'}"),
        db_timeout_s=_float("SHOPDESK_DB_TIMEOUT", 3.0),
        jwt_secret=jwt_secret,
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
