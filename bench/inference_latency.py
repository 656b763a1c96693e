"""How fast the 6-layer encoder classifies one message: eager or TorchScript, float or int8.

    python -m bench.inference_latency [--labels 151] [--runs 300]

Builds the classifier our intent component trains (the packaged all-MiniLM-L6-v2, mean pooling,
a linear head; latency does not depend on the weights' values) and times `predict_logits`, the
path the component's `process` takes, one message at a time over the held-out NLU split's
texts, after a warm-up. Also times the whole split in batches of 64. Writes
bench/results/inference_latency.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import torch
from torch import nn
from transformers import PreTrainedTokenizerBase

from bench.intent_benchmark import yaml_examples
from bench.result_file import write_result
from nlu_models.encoder import SentenceClassifier, load_tokenizer, packaged_base_model
from nlu_models.inference import predict_logits, quantize
from nlu_models.torchscript import frozen_for_inference

ROOT = Path(__file__).resolve().parent.parent
WARM_UP = 50
MAX_LENGTH = 64


def percentile(values: list[float], share: float) -> float:
    return sorted(values)[min(len(values) - 1, int(share * len(values)))]


def time_variant(
    model: nn.Module, tokenizer: PreTrainedTokenizerBase, texts: list[str], runs: int
) -> dict[str, float]:
    """Milliseconds p50 / p95 for one message, and texts a second in batches of 64."""
    seconds = []
    for i in range(WARM_UP + runs):
        started = time.perf_counter()
        predict_logits(model, tokenizer, [texts[i % len(texts)]], max_length=MAX_LENGTH)
        if i >= WARM_UP:
            seconds.append(time.perf_counter() - started)
    started = time.perf_counter()
    predict_logits(model, tokenizer, texts, max_length=MAX_LENGTH)
    batched = time.perf_counter() - started
    return {
        "p50_ms": round(statistics.median(seconds) * 1000, 2),
        "p95_ms": round(percentile(seconds, 0.95) * 1000, 2),
        "batched_texts_per_s": round(len(texts) / batched),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--labels", type=int, default=151, help="head size (CLINC150: 151)")
    parser.add_argument("--runs", type=int, default=300, help="timed single messages")
    args = parser.parse_args()
    torch.set_num_threads(2)
    texts = [text for text, _ in yaml_examples(ROOT / "tests" / "nlu_holdout.yml")]
    base = packaged_base_model()
    tokenizer = load_tokenizer(base)
    torch.manual_seed(0)
    model = SentenceClassifier.from_base(base, args.labels).eval()
    small = quantize(model)
    variants = {
        "float, eager": model,
        "float, TorchScript": frozen_for_inference(model, tokenizer, MAX_LENGTH),
        "int8, eager": small,
        "int8, TorchScript": frozen_for_inference(small, tokenizer, MAX_LENGTH),
    }
    rows = {}
    for name, variant in variants.items():
        rows[name] = {
            "torchscript": isinstance(variant, torch.jit.ScriptModule),
            **time_variant(variant, tokenizer, texts, args.runs),
        }
    report = {
        "texts": len(texts),
        "runs": args.runs,
        "variants": rows,
    }
    write_result("inference_latency", report)
    print("| variant | traced | one message p50 / p95 | batches of 64 |")
    print("|---|---|---|---|")
    for name, row in rows.items():
        print(
            f"| {name} | {'yes' if row['torchscript'] else 'no'} | {row['p50_ms']} / "
            f"{row['p95_ms']} ms | {row['batched_texts_per_s']} texts/s |"
        )


if __name__ == "__main__":
    main()
