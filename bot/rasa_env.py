"""The environment Rasa's own processes read through endpoints.yml and credentials.yml.

The variables, their defaults and their checks are settings like any other (bot/config.py).
"""

from __future__ import annotations

import os

from bot.config import VAR_DIR, load_settings


def rasa_environment() -> dict[str, str]:
    """This process's environment with every Rasa-facing setting and the secrets filled in.

    The secrets travel to the child processes in their environment, so endpoints.yml can hand
    the service token to Rasa's action endpoint.
    """
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    settings = load_settings()
    env = dict(os.environ)
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.update(settings.rasa_environment())
    env.update(settings.secret_environment())
    return env
