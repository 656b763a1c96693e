"""The install's own secrets: generated on first run, kept with owner-only permissions.

A development install needs no configuration, yet ships no constant secret: the first process
that needs one writes `var/secrets.json` (mode 0600) with fresh random values, atomically, so
processes starting together agree on one file. Production never reads this file: every secret
comes from the environment (bot/config.py refuses missing, short or generated ones there).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import tempfile
from pathlib import Path

SECRET_NAMES = ("jwt", "service", "relay", "conversation", "hashing")
"""Shopper tokens, the internal services' token, the handoff relay, guest conversation keys,
and the keyed hash that stands for e-mails and order numbers in throttle counts."""


def _create(path: Path) -> None:
    """Write a fresh file unless one exists; the rename-free link keeps the first writer's."""
    values = {name: secrets.token_urlsafe(48) for name in SECRET_NAMES}
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secrets-")
    try:
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(values, out)
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


def install_secrets(path: Path) -> dict[str, str]:
    """This install's secrets, created on first use; missing names are added."""
    if not path.exists():
        _create(path)
    values = json.loads(path.read_text(encoding="utf-8"))
    missing = [name for name in SECRET_NAMES if not values.get(name)]
    if missing:
        values.update({name: secrets.token_urlsafe(48) for name in missing})
        fd = os.open(path, os.O_WRONLY | os.O_TRUNC | os.O_CREAT, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(values, out)
    return {name: str(values[name]) for name in SECRET_NAMES}
