"""Build rasa-sdk trackers and run actions the way the action server does."""

from __future__ import annotations

import asyncio
from functools import lru_cache
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.config import PROJECT_ROOT

SENDER = "conversation-under-test"


@lru_cache(maxsize=1)
def domain() -> dict[str, Any]:
    return yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())


def make_tracker(
    *,
    text: str = "",
    intent: str = "",
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    active_loop: str | None = None,
    sender: str = SENDER,
    input_channel: str = "rest",
    earlier: list[dict[str, Any]] | None = None,
) -> Tracker:
    """A tracker whose latest message is `text`, after the `earlier` event dicts."""
    all_slots: dict[str, Any] = {name: None for name in domain()["slots"]}
    all_slots.update({"verification_failures": 0.0, "verification_locked": False})
    all_slots.update(slots or {})
    return Tracker(
        sender_id=sender,
        slots=all_slots,
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": 1.0},
            "entities": entities or [],
            "metadata": metadata or {},
        },
        events=[
            *(earlier or []),
            {"event": "user", "text": text, "input_channel": input_channel, "timestamp": 0},
        ],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name=None,
    )


def run_action(
    action: Action, tracker: Tracker
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The events the action returns and the messages it sends (text, buttons, ...)."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain()))
    return events, dispatcher.messages


def texts(messages: list[dict[str, Any]]) -> list[str]:
    return [m.get("text") or m.get("response") or "" for m in messages]


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
