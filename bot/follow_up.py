"""What makes a message read as a follow-up of the one before, and the questions it can continue."""

from __future__ import annotations

import re

FOLLOW_UP = re.compile(
    r"^\W*(and|so|ok|okay|then|but|also|plus|what about|how about|with|without|in|under|over)\b"
    r"|\b(it|its|they|them|their|that|those|this|these)\b",
    re.IGNORECASE,
)
"""It starts like a follow-up ("and to Italy?", "with a hood?") or points back ("for that")."""

STORE_QUESTIONS = frozenset(
    {
        "ask_return_policy",
        "ask_warranty",
        "ask_price_match",
        "ask_invoice",
        "ask_cancel_policy",
        "ask_contact",
        "shipping_info",
        "payment_methods",
    }
)
"""General questions answered from the store's data: a follow-up may ask one of them again."""
