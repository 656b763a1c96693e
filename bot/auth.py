"""Store-signed shopper tokens: the store vouches for a signed-in shopper; we verify.

A token names its audience: `widget` tokens go with chat messages, `site` tokens are the demo
store's own sign-in cookie and open nothing in the chat. No token lives longer than
`MAX_TTL_S`, whatever its expiry says.
"""

from __future__ import annotations

import time

import jwt

ISSUER = "shopdesk-store"
ALGORITHM = "HS256"
WIDGET = "shopdesk-widget"
SITE = "shopdesk-site"
MAX_TTL_S = 12 * 3600
LEEWAY_S = 30


def issue_shopper_token(
    customer_id: int, *, secret: str, ttl_s: int = 3600, audience: str = WIDGET
) -> str:
    now = int(time.time())
    claims = {
        "sub": str(customer_id),
        "iss": ISSUER,
        "aud": audience,
        "iat": now,
        "exp": now + min(ttl_s, MAX_TTL_S),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_shopper_token(token: object, *, secret: str, audience: str = WIDGET) -> int | None:
    """The customer id a valid, unexpired token for `audience` names; None for anything else."""
    if not isinstance(token, str) or not token or len(token) > 4096:
        return None
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            audience=audience,
            leeway=LEEWAY_S,
            options={"require": ["sub", "exp", "iat", "iss", "aud"]},
        )
        lifetime = int(claims["exp"]) - int(claims["iat"])
        if lifetime > MAX_TTL_S or int(claims["iat"]) > time.time() + LEEWAY_S:
            return None
        return int(claims["sub"])
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
