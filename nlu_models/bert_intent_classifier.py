"""Rasa intent classifier that fine-tunes a BERT-family sentence encoder during `rasa train`."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_models.text_classifier import FineTunedTextClassifier

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class BertIntentClassifier(IntentClassifier, FineTunedTextClassifier):
    """Fine-tunes the packaged all-MiniLM-L6-v2 (or any local checkpoint) to classify intents."""

    training_code = ("bert_intent_classifier.py",)

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **FineTunedTextClassifier.get_default_config(),
            # How many intents `intent_ranking` holds (0 = all).
            "ranking_length": 10,
            # Rasa NLU YAML of labelled messages kept apart for early stopping and calibration
            # (say, reviewed shopper messages), relative to the directory `rasa train` runs in;
            # then every training example trains. None: hold out `validation_fraction`.
            "validation_file": None,
        }

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Retrain when the validation file changes, as well as the code or base model."""
        digest = hashlib.sha256((super().fingerprint_addon(config) or "").encode())
        path = config.get("validation_file")
        if path:
            digest.update(Path(path).read_bytes() if Path(path).is_file() else b"missing")
        return digest.hexdigest()

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            logger.warning("BertIntentClassifier: no intent examples, nothing to train")
            return self._resource
        names = [e.get(INTENT) for e in examples]
        return self.fit([e.get(TEXT) for e in examples], names, self._validation(set(names)))

    def _validation(self, intents: set[str]) -> list[tuple[str, str]] | None:
        """The validation file's (text, intent) pairs of trained intents; None without a file."""
        if not self.config["validation_file"]:
            return None
        path = Path(self.config["validation_file"])
        if not path.is_file():
            raise FileNotFoundError(f"BertIntentClassifier: no validation file at {path.resolve()}")
        examples = RasaYAMLReader().read(str(path)).intent_examples
        pairs = [(e.get(TEXT), e.get(INTENT)) for e in examples if e.get(TEXT) and e.get(INTENT)]
        unknown = {intent for _, intent in pairs} - intents
        if unknown:
            logger.warning(
                "BertIntentClassifier: validation intents never trained on are left out: %s",
                ", ".join(sorted(unknown)),
            )
        return [(text, intent) for text, intent in pairs if intent in intents]

    def process(self, messages: list[Message]) -> list[Message]:
        if self.model is None:
            return messages
        limit = self.config["ranking_length"] or len(self.labels)
        for message, probabilities in self.classify(messages):
            if probabilities is None:  # nothing to classify: no intent, so the fallback answers
                message.set("intent", {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set("intent_ranking", [], add_to_output=True)
                continue
            scores, order = probabilities.sort(descending=True)
            ranking = [
                {"name": self.labels[j], "confidence": float(p)}
                for p, j in zip(scores[:limit].tolist(), order[:limit].tolist(), strict=True)
            ]
            message.set("intent", ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages
