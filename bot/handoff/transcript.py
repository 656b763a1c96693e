"""A conversation as a ticket keeps it, from Rasa's events: who said what, when, in what mood."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import yaml

from bot.handoff.tickets import Line
from bot.rasa_config import policy_config
from nlu_models.frustration import (
    OFFER_HUMAN,
    FrustrationSettings,
    carried_trajectory,
    counted_turns,
    settings_of,
    trajectory,
)

logger = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class EscalationSignal:
    """What the escalation policy computes frustration with: its settings and its action."""

    settings: FrustrationSettings
    action: str


@lru_cache(maxsize=1)
def escalation_signal() -> EscalationSignal:
    """The escalation policy's settings and action as config.yml gives them to it.

    Read once per process; a config.yml that cannot be read leaves the policy's defaults.
    """
    try:
        config = policy_config("EscalationPolicy")
    except (OSError, yaml.YAMLError, AttributeError) as exc:
        logger.warning("config.yml unreadable (%s): the escalation defaults apply", exc)
        config = {}
    return EscalationSignal(settings_of(config), str(config.get("action") or OFFER_HUMAN))


def frustration_of(
    events: Sequence[dict[str, Any]], signal: EscalationSignal | None = None
) -> list[float]:
    """The frustration trajectory a handover gives its ticket (nlu_models/frustration.py).

    `events` are the conversation's applied events. A shopper accepting the policy's offer: the
    trajectory the policy escalated on, as it put it on its action's event. Otherwise (the
    shopper asked for a person) the policy's signal, with its settings, over the turns it counts
    now: those since it last offered a person or a person handed the conversation back.
    """
    carried = carried_trajectory(events)
    if carried is not None:
        return carried
    signal = signal or escalation_signal()
    return trajectory(counted_turns(events, signal.action), signal.settings)


def as_text(lines: Iterable[Line]) -> str:
    """A transcript a person can read in a case or an e-mail."""
    return "\n".join(f"[{line.at:%Y-%m-%d %H:%M}] {line.author}: {line.text}" for line in lines)
