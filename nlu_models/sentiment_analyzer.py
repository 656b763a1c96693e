"""Scores every shopper message negative / neutral / positive with a calibrated probability.

It fine-tunes the same packaged BERT as the intent classifier, on the project's own labelled
shopper messages (a CSV named in the config), and attaches the result to the message as
`sentiment`: it is part of the parse data that the tracker stores with every message and that
the escalation policy reads.
"""

from __future__ import annotations

import csv
import hashlib
import logging
from pathlib import Path
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_models.text_classifier import FineTunedTextClassifier

logger = logging.getLogger(__name__)

SENTIMENT = "sentiment"
LABELS = ("negative", "neutral", "positive")


def read_labelled(path: Path) -> tuple[list[str], list[str]]:
    """Texts and labels from a `text,label` CSV; an unknown label is an error, not a guess."""
    texts, labels = [], []
    with path.open(newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            if row.get("label") not in LABELS or not (row.get("text") or "").strip():
                raise ValueError(f"{path}:{line}: expected a text and one of {LABELS}, got {row}")
            texts.append(row["text"].strip())
            labels.append(row["label"])
    return texts, labels


def neutral() -> dict[str, Any]:
    """The sentiment of a message with no words in it."""
    return {"label": "neutral", "confidence": 1.0, "scores": {"neutral": 1.0}}


# Registered as an intent classifier only so that Rasa runs it on every message (the predict
# graph runs featurizers, intent classifiers and entity extractors); it never sets the intent.
@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SentimentAnalyzer(FineTunedTextClassifier):
    """Fine-tuned three-way sentiment on shopper messages, attached as `sentiment`."""

    training_code = ("sentiment_analyzer.py",)

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **FineTunedTextClassifier.get_default_config(),
            # Labelled shopper messages (`text,label` with negative/neutral/positive), relative
            # to the directory `rasa train` runs in.
            "training_file": "data/sentiment/shopper_messages.csv",
            # Sentiment has three balanced labels: a larger validation share gives a steadier
            # early-stopping signal and calibration.
            "validation_fraction": 0.15,
        }

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Retrain when the labelled messages change, as well as the code or base model."""
        data = Path({**cls.get_default_config(), **config}["training_file"])
        digest = hashlib.sha256((super().fingerprint_addon(config) or "").encode())
        digest.update(data.read_bytes() if data.is_file() else b"missing")
        return digest.hexdigest()

    def train(self, training_data: TrainingData) -> Resource:
        path = Path(self.config["training_file"])
        if not path.is_file():
            raise FileNotFoundError(f"SentimentAnalyzer: no labelled messages at {path.resolve()}")
        texts, labels = read_labelled(path)
        logger.info("SentimentAnalyzer: %d labelled messages from %s", len(texts), path)
        return self.fit(texts, labels)

    def process(self, messages: list[Message]) -> list[Message]:
        if self.model is None:
            return messages
        for message, probabilities in self.classify(messages):
            if probabilities is None:
                message.set(SENTIMENT, neutral(), add_to_output=True)
                continue
            scores = {name: float(p) for name, p in zip(self.labels, probabilities, strict=True)}
            label = max(scores, key=scores.__getitem__)
            message.set(
                SENTIMENT,
                {"label": label, "confidence": scores[label], "scores": scores},
                add_to_output=True,
            )
        return messages
