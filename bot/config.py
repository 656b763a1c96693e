"""One typed settings object, read from the environment: every `SHOPDESK_*` variable lives here.

Each setting is a field of `Settings` naming its variable, its default and its checks; an empty
variable counts as unset (except SHOPDESK_ENV, which must name an environment). A value that cannot
be used is a `SettingsError` naming the variable. `python -m bot settings` prints them all.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseSettings, Field, ValidationError, root_validator, validator
from pydantic.env_settings import SettingsSourceCallable

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
SECRET_FIELDS = {
    "jwt": "jwt_secret",
    "service": "service_token",
    "relay": "relay_secret",
    "conversation": "conversation_secret",
    "hashing": "hashing_secret",
}
"""Each secret's field of `Settings`."""
ENVIRONMENTS = ("development", "production")
RASA_SETTINGS = (
    "tracker_url",
    "lock_store",
    "redis_host",
    "redis_port",
    "action_url",
    "model_dir",
    "store_origins",
)
"""The settings Rasa's own processes read, through endpoints.yml and credentials.yml."""


class SettingsError(ValueError):
    """The environment holds a setting that cannot be used."""


def _secret(name: str) -> Any:
    """A secret from its variable; in development a missing one comes from var/secrets.json."""
    return Field(default="", env=SECRET_VARIABLES[name], secret=True)


class Settings(BaseSettings):
    """Every setting from its `SHOPDESK_*` variable; processes read theirs with get_settings()."""

    environment: str = Field(default="development", env="SHOPDESK_ENV")
    """development or production; production takes every secret from the environment."""
    store_db_url: str = Field(default=f"sqlite:///{VAR_DIR / 'store.db'}", env="SHOPDESK_DB_URL")
    """The store database: any SQLAlchemy URL (SQLite file by default, postgresql://...)."""
    db_timeout_s: float = Field(default=3.0, env="SHOPDESK_DB_TIMEOUT")
    """Seconds a store database connection or statement may take."""
    jwt_secret: str = _secret("jwt")
    """HS256 secret the store signs shopper tokens with."""
    service_token: str = _secret("service")
    """Bearer token the internal services (action server, recommender) require of callers."""
    relay_secret: str = _secret("relay")
    """Bearer key the agent console's notices to the Rasa server carry."""
    conversation_secret: str = _secret("conversation")
    """Signs the per-conversation keys that guard a widget conversation's history."""
    hashing_secret: str = _secret("hashing")
    """Keys the hashes that stand for e-mails, order numbers and addresses in throttle counts."""
    rest_token: str = Field(default="", env="SHOPDESK_REST_TOKEN", secret=True)
    """Bearer token the REST channel requires; empty: open in development, off in production."""
    trusted_proxies: frozenset[str] = Field(default=frozenset(), env="SHOPDESK_TRUSTED_PROXIES")
    """Addresses (space separated) of load balancers whose X-Forwarded-For names the shopper."""
    max_message_chars: int = Field(default=1000, env="SHOPDESK_MAX_MESSAGE_CHARS", ge=50)
    """Longer shopper messages are answered politely and never reach NLU."""
    messages_per_minute: int = Field(default=60, env="SHOPDESK_MESSAGES_PER_MINUTE", ge=1)
    """Messages one client address may send a minute, per channel and Rasa process."""
    max_verification_attempts: int = Field(default=5, env="SHOPDESK_MAX_VERIFICATION_ATTEMPTS")
    """Failed order verifications before a conversation stops asking."""
    review_below: float = Field(default=0.75, env="SHOPDESK_REVIEW_BELOW")
    """Messages classified with less confidence than this go to the NLU review table."""
    chat_url: str = Field(default="http://localhost:5005", env="SHOPDESK_CHAT_URL")
    """The Rasa server the store page's chat widget connects to."""
    rasa_url: str = Field(default="http://127.0.0.1:5005", env="SHOPDESK_RASA_URL")
    """The Rasa server as the store's own processes reach it (the agent console's relay)."""
    recommender_url: str = Field(default="http://127.0.0.1:5056", env="SHOPDESK_RECOMMENDER_URL")
    """The recommendation service, as the action server reaches it."""
    recommender_dir: Path = Field(default=VAR_DIR / "recommender", env="SHOPDESK_RECOMMENDER_DIR")
    """Where the recommendation service keeps product embeddings and its index."""
    recommender_ann_above: int = Field(default=20_000, env="SHOPDESK_RECOMMENDER_ANN_ABOVE", ge=1)
    """Catalogs with more products than this are searched through the approximate index."""
    recommender_refresh_s: float = Field(default=60.0, env="SHOPDESK_RECOMMENDER_REFRESH_S", ge=0.5)
    """How often (seconds) the recommendation service re-reads the catalog and the orders."""
    tracker_url: str = Field(
        default=f"sqlite:///{VAR_DIR / 'tracker.db'}", env="SHOPDESK_TRACKER_URL"
    )
    """Rasa's conversations: any SQLAlchemy URL (SQLite file by default, postgresql://...)."""
    lock_store: str = Field(default="in_memory", env="SHOPDESK_LOCK_STORE")
    """Rasa's lock store: in_memory for one Rasa process, redis for replicas."""
    redis_host: str = Field(default="127.0.0.1", env="SHOPDESK_REDIS_HOST")
    redis_port: int = Field(default=6379, env="SHOPDESK_REDIS_PORT", ge=1, le=65535)
    action_url: str = Field(default="http://127.0.0.1:5055/webhook", env="SHOPDESK_ACTION_URL")
    """The action server, as Rasa reaches it."""
    model_dir: str = Field(default="models", env="SHOPDESK_MODEL_DIR")
    """Where Rasa finds the trained model (the newest archive in it)."""
    store_origins: str = Field(
        default="http://localhost:8000 http://127.0.0.1:8000", env="SHOPDESK_STORE_ORIGINS"
    )
    """Store pages (space separated) allowed to open the chat widget's socket.io connection."""

    class Config:
        case_sensitive = True
        frozen = True

        @classmethod
        def parse_env_var(cls, field_name: str, raw_val: str) -> Any:
            if field_name == "trusted_proxies":
                return frozenset(raw_val.split())
            return raw_val

        @classmethod
        def customise_sources(
            cls,
            init_settings: SettingsSourceCallable,
            env_settings: SettingsSourceCallable,
            file_secret_settings: SettingsSourceCallable,
        ) -> tuple[SettingsSourceCallable, ...]:
            def environment(settings: BaseSettings) -> dict[str, Any]:
                """The variables that are set; an empty one counts as unset."""
                found = env_settings(settings)
                return {k: v for k, v in found.items() if v != "" or k == "environment"}

            return init_settings, environment

    @validator("environment")
    def _known_environment(cls, value: str) -> str:
        if value not in ENVIRONMENTS:
            raise ValueError("must be 'development' or 'production'")
        return value

    @validator("max_verification_attempts", pre=True)
    def _whole_attempts(cls, value: Any) -> Any:
        """As many attempts as the number says: 5.9 is 5, as it always was."""
        if isinstance(value, str):
            try:
                return int(float(value))
            except ValueError:
                raise ValueError("must be a number") from None
        return value

    @root_validator(skip_on_failure=True)
    def _secrets(cls, values: dict[str, Any]) -> dict[str, Any]:
        """Production takes secrets only from the environment: missing, short or repeated ones
        are refused, so no install runs in production on a secret it did not choose."""
        given = {name: values[field] for name, field in SECRET_FIELDS.items()}
        if values["environment"] == "production":
            for name, variable in SECRET_VARIABLES.items():
                if len(given[name]) < MIN_SECRET_CHARS:
                    raise ValueError(
                        f"set {variable} to a random secret of {MIN_SECRET_CHARS}+ characters"
                    )
            if len(set(given.values())) < len(given):
                raise ValueError("every SHOPDESK_*_SECRET and token must be a different value")
            return values
        generated = install_secrets(SECRETS_FILE) if not all(given.values()) else {}
        for name, field in SECRET_FIELDS.items():
            values[field] = given[name] or generated[name]
        return values

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @classmethod
    def variable(cls, field: str) -> str:
        """The environment variable a setting is read from."""
        name: str = cls.__fields__[field].field_info.extra["env"]
        return name

    def secret_environment(self) -> dict[str, str]:
        """The secrets as the environment variables that hand them to child processes."""
        return {
            SECRET_VARIABLES[name]: getattr(self, field) for name, field in SECRET_FIELDS.items()
        }

    def rasa_environment(self) -> dict[str, str]:
        """The settings Rasa's processes read (endpoints.yml, credentials.yml) as variables."""
        return {self.variable(field): str(getattr(self, field)) for field in RASA_SETTINGS}

    def shown(self) -> dict[str, str]:
        """Every variable with its effective value; secrets and database passwords masked."""
        lines = {}
        for field, model_field in self.__fields__.items():
            value = getattr(self, field)
            text = " ".join(sorted(value)) if isinstance(value, frozenset) else str(value)
            if model_field.field_info.extra.get("secret"):
                text = mask_secret(text)
            lines[self.variable(field)] = mask_password(text)
        return lines


def mask_secret(value: str) -> str:
    """Enough of a secret to tell two apart, never enough to use: `abcd…`."""
    if not value:
        return ""
    return f"{value[:4]}…" if len(value) >= 16 else "…"


_URL_PASSWORD = re.compile(r"(?P<head>[a-zA-Z][\w+.-]*://[^:/@\s]*:)[^@\s]*@")


def mask_password(value: str) -> str:
    """A URL's password (postgresql://user:pw@host/db) as `***`."""
    return _URL_PASSWORD.sub(r"\g<head>***@", value)


def _explain(error: Mapping[str, Any]) -> str:
    """One validation error as a sentence that names the variable."""
    field = str(error["loc"][0])
    if field == "__root__":
        return str(error["msg"])
    variable = Settings.variable(field)
    raw = os.environ.get(variable)
    kind = str(error["type"])
    got = f", got {raw!r}" if raw is not None else ""
    shown = f", got {raw}" if raw is not None else ""
    if kind.endswith(".float"):
        return f"{variable} must be a number{got}"
    if kind.endswith(".integer"):
        return f"{variable} must be a whole number{got}"
    if kind in ("value_error.number.not_ge", "value_error.number.not_gt"):
        return f"{variable} must be at least {error['ctx']['limit_value']}{shown}"
    if kind in ("value_error.number.not_le", "value_error.number.not_lt"):
        return f"{variable} must be at most {error['ctx']['limit_value']}{shown}"
    return f"{variable} {error['msg']}{got}"


def load_settings() -> Settings:
    """Read settings from the environment; refuse development secrets in production."""
    try:
        return Settings()
    except ValidationError as exc:
        raise SettingsError("; ".join(_explain(e) for e in exc.errors())) from exc


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once."""
    return load_settings()
