"""Classifying with a fine-tuned sentence classifier: loading it, batched logits, probabilities.

What a classifier's `process` path needs, and nothing of training (nlu_models/fine_tuning.py):
the persisted files (safetensors + JSON, never pickles), tokenizing, length-sorted batched
logits, the int8 variant, and temperature-scaled probabilities. Fine-tuning scores its
validation epochs with the same `predict_logits`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import load_file
from torch import nn
from transformers import AutoModel, PreTrainedTokenizerBase

from nlu_models.encoder import SentenceClassifier, load_tokenizer

# A trained classifier's files in its model storage directory.
META_FILE = "classifier.json"
HEAD_FILE = "head.safetensors"
ENCODER_DIR = "encoder"


def tokenize(
    tokenizer: PreTrainedTokenizerBase, texts: Sequence[str], max_length: int
) -> dict[str, torch.Tensor]:
    return tokenizer(
        list(texts), padding=True, truncation=True, max_length=max_length, return_tensors="pt"
    )


def predict_logits(
    model: nn.Module,
    tokenizer: PreTrainedTokenizerBase,
    texts: Sequence[str],
    *,
    max_length: int,
    batch_size: int = 64,
) -> torch.Tensor:
    """Logits for every text, in batches, without building a graph."""
    model.eval()
    # Texts of similar length share a batch, so little padding is computed; rows are put back
    # in the order of `texts`.
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    outputs = []
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            chosen = [texts[i] for i in order[start : start + batch_size]]
            batch = tokenize(tokenizer, chosen, max_length)
            outputs.append(model(batch["input_ids"], batch["attention_mask"]))
    if not outputs:
        return torch.empty(0, 0)
    logits = torch.cat(outputs)
    restored = torch.empty_like(logits)
    restored[torch.tensor(order)] = logits
    return restored


def calibrated(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """Label probabilities from logits, scaled by the temperature calibrated in training."""
    return torch.softmax(logits / temperature, dim=1)


def predict_probabilities(
    model: nn.Module,
    tokenizer: PreTrainedTokenizerBase,
    texts: Sequence[str],
    *,
    temperature: float,
    max_length: int,
    batch_size: int = 64,
) -> torch.Tensor:
    """Calibrated label probabilities, one row per text."""
    logits = predict_logits(model, tokenizer, texts, max_length=max_length, batch_size=batch_size)
    return calibrated(logits, temperature)


def quantize(model: nn.Module) -> nn.Module:
    """Dynamic int8 quantization of the linear layers, for faster CPU inference."""
    return torch.ao.quantization.quantize_dynamic(model, {nn.Linear}, dtype=torch.qint8)


@dataclass
class LoadedClassifier:
    """A persisted classifier, ready to predict: int8 where training chose int8."""

    model: nn.Module
    tokenizer: PreTrainedTokenizerBase
    labels: list[str]
    temperature: float


def load_classifier(directory: Path) -> LoadedClassifier:
    """The classifier persisted in `directory`: weights from safetensors, metadata from JSON.

    Missing or unreadable files raise ValueError, FileNotFoundError, OSError or KeyError.
    """
    meta = json.loads((directory / META_FILE).read_text())
    encoder = AutoModel.from_pretrained(
        str(directory / ENCODER_DIR), local_files_only=True, use_safetensors=True
    )
    tokenizer = load_tokenizer(directory / ENCODER_DIR)
    model = SentenceClassifier(encoder, len(meta["labels"]), meta["dropout"])
    model.head.load_state_dict(load_file(str(directory / HEAD_FILE)))
    model.eval()
    ready = quantize(model) if meta["quantized"] else model
    return LoadedClassifier(ready, tokenizer, list(meta["labels"]), float(meta["temperature"]))
