"""`key=value` overrides of our classifier's fine-tuning settings, for the benchmark scripts."""

from __future__ import annotations

import argparse
from dataclasses import fields

from nlu_models.bert_intent_classifier import BertIntentClassifier
from nlu_models.fine_tuning import FineTuneSettings


def parse_override(text: str) -> tuple[str, float | int | bool]:
    """`key=value` with the value typed like the default it replaces."""
    key, _, value = text.partition("=")
    default = BertIntentClassifier.get_default_config().get(key)
    if default is None or key not in {f.name for f in fields(FineTuneSettings)}:
        raise argparse.ArgumentTypeError(f"{key} is not a fine-tuning setting")
    if isinstance(default, bool):
        return key, value.lower() in ("1", "true", "yes")
    return key, type(default)(float(value) if isinstance(default, int) else value)


def override_label(overrides: dict[str, object]) -> str:
    """How a run's overrides read in a result's name: `random_seed=1, epochs=10`."""
    return ", ".join(f"{key}={value}" for key, value in overrides.items())
