"""Keyed hashes that stand for personal values (e-mails, order numbers, addresses) in counts."""

from __future__ import annotations

import hashlib
import hmac


def keyed_hash(secret: str, scope: str, value: str) -> str:
    """A stable 64-hex-digit stand-in for `value` that nobody without `secret` can reverse."""
    message = f"{scope}\x00{value.strip().lower()}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
