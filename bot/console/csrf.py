"""Tokens for the console's HTML forms (a signed double-submit cookie).

A page with a form gives the browser a random nonce in a SameSite=Strict, HttpOnly cookie and
puts an HMAC of that nonce and the form's name in a hidden field. A post counts only when the
field matches the cookie it arrives with: another site can neither read the field nor make one
that fits the nonce without the secret.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

FORM_COOKIE = "shopdesk_console_form"
FORM_FIELD = "form_token"
NONCE = re.compile(r"^[A-Za-z0-9_-]{32,100}$")


def new_nonce() -> str:
    """A fresh random nonce for the form cookie."""
    return secrets.token_urlsafe(32)


def nonce_or_new(cookie: str | None) -> str:
    """The browser's nonce when it sent a well-formed one, else a fresh one."""
    return cookie if cookie and NONCE.match(cookie) else new_nonce()


def form_token(secret: str, *, nonce: str, form: str) -> str:
    """The hidden field's value for `form` in the browser holding `nonce`."""
    message = f"agent-console-form\x00{form}\x00{nonce}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def token_valid(secret: str, *, nonce: str | None, form: str, token: str | None) -> bool:
    """Whether a post's field fits the nonce cookie it came with."""
    if not nonce or not token or not NONCE.match(nonce):
        return False
    return hmac.compare_digest(form_token(secret, nonce=nonce, form=form), token)
