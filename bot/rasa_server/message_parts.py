"""Several requests in one message, each handled as a turn of its own, in the order written.

"How much is shipping and can I pay with PayPal?" or "never mind, I'll keep it. Do you ship to
Denmark?" carry two requests; Rasa answers one intent per message. The channels hand such a
message to Rasa as consecutive turns ("How much is shipping" / "can I pay with PayPal?"), so
every request meets the dialogue as if it had been sent alone: forms, interruptions and context
work unchanged and every part is in the conversation's history.

A message is split only where the NLU reads two different requests: it is cut into pieces at
sentence ends, dashes and "and/also/or" before a question word, each piece is classified, and pieces
that are not requests of their own (a greeting, an order number, an e-mail, "thanks") or that
continue the same topic stay with their neighbour. "Hi! I returned it. Order 100132, my e-mail
is ... Has the refund come through?" stays one turn.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from rasa.core.channels.channel import UserMessage

from bot.rasa_server.topic_follow_up import Parse, Previous, continued_question
from nlu_models.request_hint import REQUEST_INTENT

SENTENCE_END = re.compile(r"(?<=[.?!;])\s+(?=\S)|\s+[-–—]+\s+")
QUESTION_WORDS = (
    "can|could|do|does|did|is|are|was|will|would|should|may|have|has|how|what|what's|whats"
    "|when|where|where's|which|who|why|if|you|u"
)
JOINT = re.compile(
    rf",?\s+(?:and|n|&|also|plus|or)\s+(?:also\s+)?(?=(?:{QUESTION_WORDS})\b)", re.IGNORECASE
)
MAX_PIECES = 5
CONFIDENT = 0.6
"""A piece is a request of its own only when the classifier is at least this sure."""

TOPICS = {
    "order_status": "order",
    "list_orders": "order",
    "return_item": "return",
    "refund_status": "return",
    "product_search": "product",
    "product_details": "product",
    "recommend": "product",
    "more_like_this": "product",
    "cheaper": "product",
    "refine_search": "product",
    "goes_with": "product",
}
"""Intents that belong together: a piece continuing the same topic stays in the same turn."""
NOT_REQUESTS = frozenset(
    {
        "greet",
        "goodbye",
        "thank",
        "affirm",
        "deny",
        "inform",
        "chitchat",
        "complaint",
        "feedback",
        "bot_challenge",
        "out_of_scope",
        "nlu_fallback",
    }
)
"""Intents that add to a request rather than make one."""
ORDER_TASKS = frozenset({"order_status", "cancel_order", "return_item", "change_address"})
ORDER_NUMBER = re.compile(r"(?<!\d)\d{6}(?!\d)")
OWN_ORDER = re.compile(r"\b(my|mine|me|i|i'?ve|we|our|us)\b|\d{6}", re.IGNORECASE)
"""An order task is a request of its own only when it is about the shopper's own order; "and how
long does it take?" after a shipping question continues that question."""


@dataclass
class Part:
    """Consecutive pieces handled as one turn, and the topic of the request among them."""

    start: int
    end: int
    topic: str | None = None
    requests: list[str] = field(default_factory=list)
    """The intents of the pieces that make a request, as each was read on its own."""
    asides: int = 0
    """Pieces that make no request of their own (a greeting, an order number, an e-mail)."""

    def request_intent(self) -> str | None:
        """The intent of the part's one request, read without the asides around it, if any."""
        return self.requests[0] if len(self.requests) == 1 and self.asides else None


def pieces(text: str) -> list[tuple[int, int]]:
    """Where the text may hold separate requests: sentences, and questions joined by 'and'."""
    spans: list[tuple[int, int]] = []
    cuts = sorted(
        [(m.start(), m.end()) for m in SENTENCE_END.finditer(text)]
        + [(m.start(), m.end()) for m in JOINT.finditer(text)]
    )
    start = 0
    for cut_start, cut_end in cuts:
        if cut_start > start:
            spans.append((start, cut_start))
            start = cut_end
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def request_topic(parse_data: dict[str, Any], context: str) -> str | None:
    """The topic of the request a piece makes, or None when it makes none of its own.

    `context` is the piece with what came before it in the same part (an order number given
    there makes "when will it arrive" a question about that order)."""
    intent = parse_data.get("intent") or {}
    name, confidence = intent.get("name"), float(intent.get("confidence") or 0.0)
    if not name or name in NOT_REQUESTS or confidence < CONFIDENT:
        return None
    if name in ORDER_TASKS and not OWN_ORDER.search(context):
        return None
    if TOPICS.get(name) == "product" and ORDER_NUMBER.search(context):
        return None  # "order 100001 - what's in it?" asks about the order, not the catalog
    return TOPICS.get(name, name)


async def message_parts(text: str, parse: Parse) -> list[tuple[str, str | None]]:
    """The message as the turns to handle, in order, each with the intent of its one request
    when asides surround it; one turn when the message makes one request."""
    spans = pieces(text)
    if not 2 <= len(spans) <= MAX_PIECES or "\n" in text.strip():
        return [(text, None)]  # one piece, or pasted text (an e-mail, a list) read as a whole
    parts: list[Part] = []
    for start, end in spans:
        current = parts[-1] if parts else None
        context = text[current.start if current else start : end]
        parsed = await parse(text[start:end])
        topic = request_topic(parsed, context)
        if current is None or (
            topic is not None
            and current.topic is not None
            and (topic != current.topic or topic == "stop")
        ):
            current = Part(start, end, topic)
            parts.append(current)
        else:
            current.end = end
            current.topic = current.topic or topic
        if topic is None:
            current.asides += 1
        else:
            current.requests.append(str(parsed["intent"]["name"]))
    return [(text[p.start : p.end].strip(), p.request_intent()) for p in parts]


async def turns_of(
    text: str, parse: Parse | None, previous: Previous | None
) -> list[tuple[str, str | None]]:
    """The turns a message is handled as: one continuing the previous store question, else its
    parts (one turn without a parser)."""
    if parse is None:
        return [(text, None)]
    question = await continued_question(text, previous, parse) if previous else None
    return [(text, question)] if question else await message_parts(text, parse)


async def handle_in_parts(
    message: UserMessage,
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    parse: Parse | None,
    previous: Previous | None = None,
) -> None:
    """Hand `message` to Rasa as one turn per request it makes.

    A turn whose request is surrounded by asides, or that continues the previous store question,
    carries that request's intent in its metadata (`request_intent`, set here on the server,
    never by the client), for nlu_models/request_hint.py."""
    parts = await turns_of(message.text or "", parse, previous)
    for index, (text, intent) in enumerate(parts):
        metadata = dict(message.metadata or {})
        if intent:
            metadata[REQUEST_INTENT] = intent
        await on_new_message(
            UserMessage(
                text,
                message.output_channel,
                message.sender_id,
                input_channel=message.input_channel,
                message_id=message.message_id if index == 0 else f"{message.message_id}-{index}",
                metadata=metadata,
            )
        )
