"""A conversation as a ticket keeps it, from Rasa's events: who said what, when, in what mood."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bot.handoff.tickets import Line
from nlu_models.frustration import FrustrationSettings, trajectory, turn_of


def line_of(event: dict[str, Any]) -> Line | None:
    """The ticket line for a shopper or bot message event; None for every other event."""
    kind = event.get("event")
    if kind not in ("user", "bot"):
        return None
    metadata = event.get("metadata") or {}
    text = str(metadata.get("display") or event.get("text") or "").strip()
    if not text:
        return None
    at = datetime.utcfromtimestamp(float(event.get("timestamp") or 0))
    if kind == "bot":
        return Line("agent" if metadata.get("agent") else "assistant", text, at)
    sentiment = (event.get("parse_data") or {}).get("sentiment")
    return Line("shopper", text, at, sentiment, event.get("message_id"))


def transcript_of(events: Iterable[dict[str, Any]]) -> list[Line]:
    return [line for event in events if (line := line_of(event)) is not None]


def frustration_of(events: Iterable[dict[str, Any]]) -> list[float]:
    """The conversation's frustration after each shopper message (nlu_models/frustration.py)."""
    turns = [
        turn_of({"text": e.get("text"), **(e.get("parse_data") or {})})
        for e in events
        if e.get("event") == "user"
    ]
    return trajectory(turns, FrustrationSettings())


def as_text(lines: Iterable[Line]) -> str:
    """A transcript a person can read in a case or an e-mail."""
    return "\n".join(f"[{line.at:%Y-%m-%d %H:%M}] {line.author}: {line.text}" for line in lines)
