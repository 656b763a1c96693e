"""Store-signed shopper tokens: the store vouches for a signed-in shopper; we verify."""

from __future__ import annotations

import time

import jwt

ISSUER = "shopdesk-store"
ALGORITHM = "HS256"


def issue_shopper_token(customer_id: int, *, secret: str, ttl_s: int = 3600) -> str:
    now = int(time.time())
    claims = {"sub": str(customer_id), "iss": ISSUER, "iat": now, "exp": now + ttl_s}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_shopper_token(token: object, *, secret: str) -> int | None:
    """The customer id a valid, unexpired token names; None for anything else."""
    if not isinstance(token, str) or not token or len(token) > 4096:
        return None
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["sub", "exp", "iss"]},
        )
        return int(claims["sub"])
    except (jwt.PyJWTError, ValueError):
        return None
