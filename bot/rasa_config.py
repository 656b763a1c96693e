"""Rasa's config.yml, read by the parts of the project outside Rasa that must agree with it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.config import PROJECT_ROOT

CONFIG_FILE = PROJECT_ROOT / "config.yml"


def policy_config(name: str, config_file: Path = CONFIG_FILE) -> dict[str, Any]:
    """The settings config.yml gives the policy `name` (empty when it is not configured)."""
    config = yaml.safe_load(config_file.read_text())
    for policy in config.get("policies") or []:
        if str(policy.get("name", "")).rsplit(".", 1)[-1] == name:
            return {k: v for k, v in policy.items() if k != "name"}
    return {}
