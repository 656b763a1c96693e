"""The Rasa side of the handoff relay: a person's notice becomes conversation events.

An agent's words are bot messages marked with the agent's name; handing back or closing resumes
the paused assistant, tells the shopper, and asks for a 1-5 rating of the help they got.
Everything is appended to the tracker under the conversation's lock, so it is in the history a
reloaded widget shows, then pushed to the shopper's open widget.
"""

from __future__ import annotations

import json
from typing import Any

from rasa.core.agent import Agent
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationResumed,
    Event,
    SlotSet,
)

from bot.handoff.relay import HANDOFF_SLOT, Notice

JOINED = "{agent} from our team has joined the chat."
BACK = "You're back with the assistant. Ask me anything, any time."
CLOSED = "{agent} has closed this conversation. I'm here if you need anything else."
RATE = "How did {agent} do? Please rate the help you got, from 1 (poor) to 5 (excellent)."


def rating_buttons() -> list[dict[str, str]]:
    return [
        {"title": str(n), "payload": "/rate_conversation" + json.dumps({"rating": n})}
        for n in range(1, 6)
    ]


def _said(text: str, custom: dict[str, Any], **extra: Any) -> BotUttered:
    data = {"custom": custom, **extra}
    return BotUttered(text, data=data, metadata={"agent": custom.get("agent")})


def events_for(notice: Notice) -> list[Event]:
    """The conversation events a notice stands for."""
    agent = notice.agent
    if notice.kind == "joined":
        state = {"type": "handoff", "state": "joined", "agent": agent}
        return [_said(JOINED.format(agent=agent), state)]
    if notice.kind == "message":
        return [_said(notice.text, {"type": "handoff", "state": "message", "agent": agent})]
    goodbye = BACK if notice.kind == "handed_back" else CLOSED.format(agent=agent)
    return [
        ConversationResumed(),
        SlotSet(HANDOFF_SLOT, None),
        BotUttered(goodbye, data={"custom": {"type": "handoff", "state": "back"}}),
        BotUttered(
            RATE.format(agent=agent),
            data={"buttons": rating_buttons(), "custom": {"type": "rating", "agent": agent}},
        ),
        # The assistant listens again, as after any turn of its own.
        ActionExecuted("action_listen"),
    ]


def as_message(event: BotUttered) -> dict[str, Any]:
    """A bot event as the output channel's message dict."""
    return {"text": event.text, **(event.data or {})}


async def apply_notice(agent: Agent, notice: Notice) -> list[BotUttered] | None:
    """Append the notice's events to its conversation; None when there is no such conversation."""
    async with agent.lock_store.lock(notice.conversation_id):
        tracker = await agent.tracker_store.retrieve(notice.conversation_id)
        if tracker is None:
            return None
        events = events_for(notice)
        for event in events:
            tracker.update(event, agent.domain)
        await agent.tracker_store.save(tracker)
    return [e for e in events if isinstance(e, BotUttered)]
