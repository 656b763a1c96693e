"""A follow-up to a store question, read in the context of that question.

After "are returns free?", "and how many days do I have for that?" asks about returns again, but
read alone it sounds like a question about an order; after "can I get an invoice with VAT?",
"and where do I find it later?" asks where the invoice is. When a message reads as a follow-up
(bot/follow_up.py), the shopper's previous message asked a store question, and the message
alone is no sure request of its own, it is classified again together with that previous
message; if the two read as the same question, the message takes that question's intent (as
server-set metadata, nlu_models/request_hint.py) and is not split into parts.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.agent import Agent
from rasa.shared.core.events import UserUttered

from bot.follow_up import FOLLOW_UP, STORE_QUESTIONS

Parse = Callable[[str], Awaitable[dict[str, Any]]]
Previous = Callable[[], Awaitable[tuple[str, str] | None]]
"""The shopper's previous message and its intent, if there is one."""

SURE_ALONE = 0.95
"""A message read this surely as something else on its own is a new request."""
SURE_TOGETHER = 0.8
"""How sure the reading of both messages together must be that they ask the same question."""
SURE_OTHER_QUESTION = 0.6
"""A message read this surely as another store question on its own asks that question."""
ACKNOWLEDGEMENTS = frozenset({"affirm", "deny", "thank", "goodbye", "greet", "stop"})
NAMES_AN_ORDER = re.compile(r"(?<!\d)\d{6}(?!\d)|@")


def reading(parse_data: dict[str, Any]) -> tuple[str, float]:
    intent = parse_data.get("intent") or {}
    return str(intent.get("name") or ""), float(intent.get("confidence") or 0.0)


async def continued_question(text: str, previous: Previous, parse: Parse) -> str | None:
    """The store question this message continues, or None when it asks something of its own."""
    if not FOLLOW_UP.search(text) or NAMES_AN_ORDER.search(text):
        return None
    before = await previous()
    if before is None or before[1] not in STORE_QUESTIONS:
        return None
    earlier_text, question = before
    alone, sure = reading(await parse(text))
    if alone == question or sure >= SURE_ALONE:
        return None
    if alone in STORE_QUESTIONS and sure >= SURE_OTHER_QUESTION:
        return None  # "also, what is your warranty?" after a payment question asks anew
    if alone in ACKNOWLEDGEMENTS and "?" not in text:
        return None  # "ok thanks" ends the question, it does not ask it again
    together, together_sure = reading(await parse(f"{earlier_text} {text}"))
    return question if together == question and together_sure >= SURE_TOGETHER else None


def previous_message(agent: Agent, sender_id: str) -> Previous:
    """Reads the conversation's latest shopper message and its intent from the tracker store."""

    async def previous() -> tuple[str, str] | None:
        tracker = await agent.tracker_store.retrieve(sender_id)
        if tracker is None:
            return None
        for event in reversed(tracker.events):
            if isinstance(event, UserUttered):
                return event.text or "", str((event.intent or {}).get("name") or "")
        return None

    return previous
