"""Inference through a TorchScript-frozen classifier, and eager inference where tracing fails."""

from __future__ import annotations

import torch
from torch import nn
from transformers import PreTrainedTokenizerBase

from nlu_models.encoder import SentenceClassifier, load_tokenizer, packaged_base_model
from nlu_models.torchscript import frozen_for_inference

TEXTS = [
    "where is my order 100042?",
    "hi",
    "I want to return the shoes I bought last week",
    "x " * 300,
]


def _logits(model: nn.Module, tokenizer: PreTrainedTokenizerBase, texts: list[str]) -> torch.Tensor:
    batch = tokenizer(texts, padding=True, truncation=True, max_length=64, return_tensors="pt")
    with torch.inference_mode():
        return model(batch["input_ids"], batch["attention_mask"])


def test_the_frozen_classifier_gives_the_same_logits_for_any_batch():
    base = packaged_base_model()
    tokenizer = load_tokenizer(base)
    torch.manual_seed(0)
    model = SentenceClassifier.from_base(base, 5).eval()
    frozen = frozen_for_inference(model, tokenizer, 64)
    assert isinstance(frozen, torch.jit.ScriptModule)
    for texts in (TEXTS, TEXTS[1:2], TEXTS[:3], TEXTS * 3):
        expected = _logits(model, tokenizer, texts)
        assert torch.allclose(_logits(frozen, tokenizer, texts), expected, atol=1e-5)


class CountsTokens(nn.Module):
    """Its answer depends on a tensor's value in Python, which a trace cannot record."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(torch.ones(1))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        # The two-text trace example has fewer than 40 tokens; the check batch has more.
        if attention_mask.sum() > 40:
            return attention_mask.float().sum(dim=1, keepdim=True) * self.scale
        return -attention_mask.float().sum(dim=1, keepdim=True) * self.scale


def test_a_model_the_trace_gets_wrong_stays_eager():
    tokenizer = load_tokenizer(packaged_base_model())
    model = CountsTokens()
    assert frozen_for_inference(model, tokenizer, 64) is model


class AnswersInWords(nn.Module):
    """Returns a string, which a trace cannot record at all."""

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> str:
        return f"{int(attention_mask.sum())} tokens"


def test_a_model_that_cannot_be_traced_stays_eager():
    tokenizer = load_tokenizer(packaged_base_model())
    model = AnswersInWords()
    assert frozen_for_inference(model, tokenizer, 64) is model
