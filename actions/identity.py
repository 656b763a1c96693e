"""Who the shopper has proved to be: a store-signed token, or order number + e-mail for guests.

The Rasa server's channels verify the shopper's token on every message and store only the
customer id it names (`metadata.customer_id`, bot/rasa_server/guard.py); the action server is a
private service that only the Rasa server can call (bot/action_server.py), so it trusts that
metadata. Identity holds per message: when the token stops coming (sign-out, expiry), the
shopper is a guest again. Guests prove orders one at a time (`verified_orders`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker

CUSTOMER_METADATA_KEY = "customer_id"
CLIENT_METADATA_KEY = "client"


@dataclass(frozen=True)
class Identity:
    customer_id: int | None
    verified_orders: frozenset[str]
    client: str = ""
    """A keyed hash of the shopper's address, for per-client limits."""

    @property
    def logged_in(self) -> bool:
        return self.customer_id is not None

    def may_see(self, *, order_number: str, order_customer_id: int) -> bool:
        """An order is shown only to its logged-in owner or a guest who proved it."""
        return order_customer_id == self.customer_id or order_number in self.verified_orders


def _metadata(tracker: Tracker) -> dict[str, Any]:
    metadata: Any = (tracker.latest_message or {}).get("metadata") or {}
    return metadata if isinstance(metadata, dict) else {}


def identity_of(tracker: Tracker) -> Identity:
    """The shopper's identity on this message: the channel's verified customer id, or a guest."""
    metadata = _metadata(tracker)
    customer_id = metadata.get(CUSTOMER_METADATA_KEY)
    orders = tracker.get_slot("verified_orders") or []
    return Identity(
        customer_id if isinstance(customer_id, int) and not isinstance(customer_id, bool) else None,
        frozenset(str(o) for o in orders),
        str(metadata.get(CLIENT_METADATA_KEY) or ""),
    )
