"""Mask personal data before it goes into a reply."""

from __future__ import annotations


def mask_email(email: str) -> str:
    """maria.lopez@example.com -> m***z@example.com"""
    local, _, domain = email.partition("@")
    if not domain:
        return "***"
    shown = local[0] + "***" + local[-1] if len(local) > 1 else local + "***"
    return f"{shown}@{domain}"


def mask_street(line: str) -> str:
    """Keep only the first letters of a street line: 12 Linden Street -> Li*** ***"""
    words = line.split()
    return " ".join((w[:2] + "***") if i == 0 else "***" for i, w in enumerate(words)) or "***"


def mask_card(brand: str | None, last4: str | None) -> str:
    return f"{brand or 'card'} ending in {last4}" if last4 else (brand or "card")
