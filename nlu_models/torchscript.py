"""A classifier frozen with TorchScript for CPU inference: the same numbers, in half the time.

Tracing records one forward pass as a graph and freezing folds the weights into it, so a short
message no longer pays Python's per-layer overhead (`python -m bench.inference_latency`). The
traced graph is checked against the model it came from; a checkpoint that does not trace
faithfully keeps running in eager PyTorch. PyTorch 2.12 marks TorchScript deprecated in favour of
`torch.compile`, which would compile C++ code on every start of the server; should a
later PyTorch drop TorchScript, inference simply stays eager.
"""

from __future__ import annotations

import logging
import warnings

import torch
from torch import nn
from transformers import PreTrainedTokenizerBase

from nlu_models.inference import tokenize

logger = logging.getLogger(__name__)

# Padded on purpose: the attention mask's path through the encoder is part of the graph.
EXAMPLE = ["where is my order? it should have been here by now", "hi"]
CHECK = ["do you have red running shoes under $50", "return", "", "a " * 200]
TOLERANCE = 1e-4


def _trace(model: nn.Module, tokenizer: PreTrainedTokenizerBase, max_length: int) -> nn.Module:
    example = tokenize(tokenizer, EXAMPLE, max_length)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        traced = torch.jit.trace(
            model, (example["input_ids"], example["attention_mask"]), check_trace=False
        )
        return torch.jit.optimize_for_inference(torch.jit.freeze(traced.eval()))


def _agrees(
    traced: nn.Module, model: nn.Module, tokenizer: PreTrainedTokenizerBase, max_length: int
) -> bool:
    """Whether the graph gives the model's logits on texts and padding it was not traced on."""
    batch = tokenize(tokenizer, CHECK, max_length)
    with torch.inference_mode():
        expected = model(batch["input_ids"], batch["attention_mask"])
        got = traced(batch["input_ids"], batch["attention_mask"])
    return bool(torch.allclose(got, expected, atol=TOLERANCE))


def frozen_for_inference(
    model: nn.Module, tokenizer: PreTrainedTokenizerBase, max_length: int
) -> nn.Module:
    """A TorchScript-frozen copy of `model` for inference, or `model` if it cannot be one."""
    model.eval()
    try:
        traced = _trace(model, tokenizer, max_length)
    except Exception as error:  # tracing fails in many ways; the eager model is always right
        logger.warning("TorchScript could not trace the model (%s); inference stays eager", error)
        return model
    if not _agrees(traced, model, tokenizer, max_length):
        logger.warning("the TorchScript graph disagrees with the model; inference stays eager")
        return model
    return traced
