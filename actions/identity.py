"""Who the shopper has proved to be: a store-signed token, or order number + e-mail for guests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker

from bot.auth import verify_shopper_token
from bot.config import get_settings

TOKEN_METADATA_KEY = "shopper_token"


@dataclass(frozen=True)
class Identity:
    customer_id: int | None
    verified_orders: frozenset[str]

    @property
    def logged_in(self) -> bool:
        return self.customer_id is not None

    def may_see(self, *, order_number: str, order_customer_id: int) -> bool:
        """An order is shown only to its logged-in owner or a guest who proved it."""
        return order_customer_id == self.customer_id or order_number in self.verified_orders


def _token_customer(tracker: Tracker) -> int | None:
    metadata: Any = (tracker.latest_message or {}).get("metadata") or {}
    token = metadata.get(TOKEN_METADATA_KEY) if isinstance(metadata, dict) else None
    return verify_shopper_token(token, secret=get_settings().jwt_secret) if token else None


def identity_of(tracker: Tracker) -> Identity:
    """The shopper's identity: a token on this message wins over what the conversation knew."""
    customer_id = _token_customer(tracker)
    if customer_id is None:
        slot = tracker.get_slot("customer_id")
        customer_id = int(slot) if isinstance(slot, (int, float)) else None
    orders = tracker.get_slot("verified_orders") or []
    return Identity(customer_id, frozenset(str(o) for o in orders))


def identity_slots(tracker: Tracker) -> dict[str, Any]:
    """Slot values that remember a newly verified token for the rest of the conversation."""
    identity = identity_of(tracker)
    if identity.customer_id != tracker.get_slot("customer_id") and identity.customer_id is not None:
        return {"customer_id": identity.customer_id}
    return {}
