"""The environment Rasa's own processes read through endpoints.yml, with local defaults."""

from __future__ import annotations

import os

from bot.config import VAR_DIR, load_settings

RASA_ENV_DEFAULTS: dict[str, str] = {
    # Conversations: any SQLAlchemy URL (SQLite file by default, postgresql://... in production).
    "SHOPDESK_TRACKER_URL": f"sqlite:///{VAR_DIR / 'tracker.db'}",
    # Lock store: in_memory for one Rasa process, redis for replicas.
    "SHOPDESK_LOCK_STORE": "in_memory",
    "SHOPDESK_REDIS_HOST": "127.0.0.1",
    "SHOPDESK_REDIS_PORT": "6379",
    "SHOPDESK_ACTION_URL": "http://127.0.0.1:5055/webhook",
    "SHOPDESK_MODEL_DIR": "models",
    # Store pages allowed to open the chat widget's socket.io connection (space separated).
    "SHOPDESK_STORE_ORIGINS": "http://localhost:8000 http://127.0.0.1:8000",
    "RASA_TELEMETRY_ENABLED": "false",
}


def rasa_environment() -> dict[str, str]:
    """This process's environment with every Rasa-facing default and the secrets filled in.

    The secrets travel to the child processes in their environment, so endpoints.yml can hand
    the service token to Rasa's action endpoint.
    """
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    for key, value in RASA_ENV_DEFAULTS.items():
        env.setdefault(key, value)
    env.update(load_settings().secret_environment())
    return env
