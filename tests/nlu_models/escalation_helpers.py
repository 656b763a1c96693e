"""An EscalationPolicy on a real model storage, and shopper turns carrying a sentiment score."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.events import ActionExecuted, Event, UserUttered

from nlu_models.escalation_policy import EscalationPolicy


def make_policy(tmp_path: Path, **config: Any) -> EscalationPolicy:
    """The policy with its default config updated by `config`."""
    return EscalationPolicy.create(
        {**EscalationPolicy.get_default_config(), **config},
        LocalModelStorage(tmp_path),
        Resource("escalation"),
        ExecutionContext(GraphSchema({}), "test"),
    )


def said(text: str, intent: str, negative: float) -> list[Event]:
    """A shopper's turn read as `intent` with a negative sentiment score of `negative`."""
    scores = {"negative": negative, "neutral": 1 - negative, "positive": 0.0}
    parse = {"intent": {"name": intent, "confidence": 0.9}, "sentiment": {"scores": scores}}
    return [ActionExecuted("action_listen"), UserUttered(text, parse_data=parse)]
