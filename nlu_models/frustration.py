"""A conversation's frustration: message sentiment over recent turns combined with behaviour.

Each shopper turn adds to a score that fades by `decay` every turn:
- negative sentiment (its probability), counted in full when the shopper is not asking for
  something the assistant does, and at `task_discount` when they are ("sad the shoes didn't
  fit, how do I return them?" is a task, not a crisis);
- intensity cues in the text: SHOUTING, "!!!", swearing, insults to the assistant, "third time";
- behaviour: a fallback, or the shopper saying they were misunderstood; the same request
  again; a failed order verification; a complaint; a threat only a person can take on
  (a chargeback, a lawyer, bad reviews);
- positive sentiment lowers it.
An explicit request for a person escalates at once. The score crossing `threshold` escalates.

The escalation policy (nlu_models/escalation_policy.py) decides with it on the Rasa server; the
handover (bot/handoff/transcript.py) gives a ticket the trajectory the policy computed, or the
same signal over the same turns with the policy's settings: one signal, one set of weights.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

REQUEST_HUMAN = "request_human"
OFFER_HUMAN = "action_offer_human"
"""The escalation policy's default action: offer a person."""
HAND_OVER = "action_hand_over"
VERIFICATION_FAILURES_SLOT = "verification_failures"
TRAJECTORY_METADATA = "frustration"
"""The key of the trajectory in the metadata of the escalation policy's prediction, which Rasa
stores on the `action` event of the action it escalates with."""
FALLBACK = "nlu_fallback"
COMPLAINT = "complaint"
# Intents that carry no request of their own: repeating them is not asking again.
CONVERSATIONAL = frozenset(
    {"greet", "goodbye", "thank", "affirm", "deny", "inform", "stop", "chitchat", FALLBACK}
)
# Intents where a negative tone is not about a task the assistant can do for the shopper.
NOT_A_TASK = frozenset(
    {COMPLAINT, FALLBACK, "out_of_scope", "bot_challenge", "chitchat", "deny", "stop", "feedback"}
)

SWEARING = re.compile(
    r"\b(damn|damned|hell|crap|crappy|shit\w*|wtf|fuck\w*|bloody|bs|scheiß\w*|mierda|joder)\b",
    re.IGNORECASE,
)
INSULT = re.compile(
    r"\b(useless|stupid|dumb|idiot\w*|pathetic|ridiculous|joke|worthless|incompetent|"
    r"nutzlos|inútil)\b",
    re.IGNORECASE,
)
# The shopper telling the assistant it got them wrong: a failure the NLU cannot see.
MISUNDERSTOOD = re.compile(
    r"(not what i (meant|asked|said|wanted)|(you|u) (don'?t|didn'?t|do not|did not) "
    r"(understand|get it|listen)|misunderst\w*|not listening|makes no sense|that'?s wrong)",
    re.IGNORECASE,
)
# Threats that only a person can take on: chargebacks, lawyers, public reviews.
THREAT = re.compile(
    r"\b(charge ?back|lawyer|solicitor|legal action|sue|court|consumer (protection|rights)|"
    r"trading standards|report (you|this)|(bad|terrible|1[- ]star) review|review everywhere|"
    r"never (shop|buy|order)\w* (here|from you|again))",
    re.IGNORECASE,
)
AGAIN = re.compile(
    r"\b(again|(second|third|fourth|fifth|2nd|3rd|4th|5th) time|"
    r"(two|three|four|five|several|many|multiple|\d+) times|already (told|asked|said)|"
    r"how many times|still (no|not|waiting|nothing)|keep (asking|telling))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Turn:
    """What one shopper message tells about their mood and the conversation."""

    text: str
    intent: str | None
    negative: float
    positive: float = 0.0
    verification_failed: bool = False


@dataclass(frozen=True)
class FrustrationSettings:
    threshold: float = 0.9
    decay: float = 0.6
    negative_weight: float = 0.55
    task_discount: float = 0.5
    intensity_weight: float = 0.5
    fallback_weight: float = 0.3
    threat_weight: float = 0.6
    repeat_weight: float = 0.3
    verification_weight: float = 0.35
    complaint_weight: float = 0.2
    positive_relief: float = 0.4
    repeat_window: int = 3


def settings_of(config: Mapping[str, Any]) -> FrustrationSettings:
    """The settings in a policy's config (its other keys ignored; defaults for the rest)."""
    known = {f.name for f in fields(FrustrationSettings)}
    return FrustrationSettings(**{k: v for k, v in config.items() if k in known})


@dataclass(frozen=True)
class Decision:
    escalate: bool
    reason: str
    trajectory: list[float] = field(default_factory=list)


def intensity(text: str) -> float:
    """0 to 1: how heated the wording is, from shouting, '!!', swearing, insults and 'again'."""
    letters = [c for c in text if c.isalpha()]
    shouting = len(letters) >= 8 and sum(c.isupper() for c in letters) / len(letters) > 0.7
    cues = [
        shouting,
        bool(re.search(r"[!?]{2,}", text)),
        bool(SWEARING.search(text)),
        bool(INSULT.search(text)),
        bool(AGAIN.search(text)),
    ]
    return min(1.0, 0.5 * sum(cues))


def turn_score(turn: Turn, earlier: Sequence[Turn], settings: FrustrationSettings) -> float:
    """How much this message adds to the conversation's frustration."""
    tone = settings.task_discount if turn.intent not in NOT_A_TASK else 1.0
    score = settings.negative_weight * turn.negative * tone
    # The encoder is uncased: SHOUTING is only seen here. Excited shouting ("I LOVE IT") is
    # positive, so heat counts as far as the message is not.
    score += settings.intensity_weight * intensity(turn.text) * (1.0 - turn.positive)
    if turn.intent == FALLBACK or MISUNDERSTOOD.search(turn.text):
        score += settings.fallback_weight
    if THREAT.search(turn.text):
        score += settings.threat_weight
    recent = {t.intent for t in earlier[-settings.repeat_window :]}
    if turn.intent not in CONVERSATIONAL and turn.intent in recent:
        score += settings.repeat_weight
    if turn.verification_failed:
        score += settings.verification_weight
    if turn.intent == COMPLAINT:
        score += settings.complaint_weight
    return score - settings.positive_relief * turn.positive


def trajectory(turns: Sequence[Turn], settings: FrustrationSettings) -> list[float]:
    """The frustration score after each turn."""
    scores: list[float] = []
    level = 0.0
    for index, turn in enumerate(turns):
        level = max(0.0, settings.decay * level + turn_score(turn, turns[:index], settings))
        scores.append(round(level, 4))
    return scores


def decide(turns: Sequence[Turn], settings: FrustrationSettings) -> Decision:
    """Whether the conversation should go to a person now, after its latest turn."""
    scores = trajectory(turns, settings)
    if turns and turns[-1].intent == REQUEST_HUMAN:
        return Decision(True, "asked for a person", scores)
    if scores and scores[-1] >= settings.threshold:
        return Decision(True, "frustration", scores)
    return Decision(False, "", scores)


def turn_of(parse_data: dict, verification_failed: bool = False) -> Turn:
    """A Turn from Rasa's parse data of a message (intent, and sentiment from our analyser)."""
    scores = (parse_data.get("sentiment") or {}).get("scores") or {}
    return Turn(
        text=parse_data.get("text") or "",
        intent=(parse_data.get("intent") or {}).get("name"),
        negative=float(scores.get("negative", 0.0)),
        positive=float(scores.get("positive", 0.0)),
        verification_failed=verification_failed,
    )


def counted_turns(events: Iterable[Mapping[str, Any]], action: str) -> list[Turn]:
    """The shopper's turns since `action` or a handover, each marked if verification then failed.

    `events` are a conversation's applied events as dicts (Rasa's `Event.as_dict()`, the form the
    action server is sent). A person who took the conversation and handed it back starts the
    count afresh, as does a new session.
    """
    turns: list[Turn] = []
    failures = 0.0
    for event in events:
        kind = event.get("event")
        if kind in ("resume", "session_started") or (
            kind == "action" and event.get("name") in (action, HAND_OVER)
        ):
            turns = []
        elif kind == "user":
            turns.append(turn_of({"text": event.get("text"), **(event.get("parse_data") or {})}))
        elif kind == "slot" and event.get("name") == VERIFICATION_FAILURES_SLOT:
            value = float(event.get("value") or 0)
            if value > failures and turns:
                turns[-1] = replace(turns[-1], verification_failed=True)
            failures = value
    return turns


def carried_trajectory(events: Iterable[Mapping[str, Any]]) -> list[float] | None:
    """The trajectory the escalation policy escalated on, if the conversation has only listened
    to the shopper since (the shopper's answer to its offer); else None.

    `events` as for `counted_turns`: the policy's trajectory rides on the `action` event of its
    escalation action, under `TRAJECTORY_METADATA`.
    """
    carried: list[float] | None = None
    for event in events:
        kind = event.get("event")
        if kind == "action":
            metadata = event.get("metadata") or {}
            if TRAJECTORY_METADATA in metadata:
                carried = [float(score) for score in metadata[TRAJECTORY_METADATA]]
            elif event.get("name") != "action_listen":
                carried = None
        elif kind in ("resume", "session_started"):
            carried = None
    return carried
