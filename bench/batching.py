"""What batching by length saves in fine-tuning: tokens computed and seconds a batch.

    python -m bench.batching ../shared/data/clinc150/data_full.json [--timed 40]

Reads a CLINC150 file's training texts (never part of the project), cuts one epoch into batches
of 32 twice, randomly and by length (`length_bucketed_batches`, as fine-tuning does from 6,400
texts), and counts the tokens each computes, padding included. Then times forward and backward
passes of the 6-layer classifier over `--timed` batches of each kind, alternating, so a machine
that changes speed affects both alike. Writes bench/results/batching.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import torch
from torch import nn

from bench.intent_benchmark import clinc_split
from bench.result_file import write_result
from nlu_models.encoder import SentenceClassifier, load_tokenizer, packaged_base_model
from nlu_models.fine_tuning import length_bucketed_batches, random_batches, token_counts
from nlu_models.inference import tokenize

BATCH_SIZE = 32
MAX_LENGTH = 64


def padded_tokens(batches: list[list[int]], lengths: list[int]) -> int:
    """Tokens the encoder computes: every text in a batch is as long as its longest."""
    return sum(len(batch) * max(lengths[i] for i in batch) for batch in batches)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path", type=Path, help="a CLINC150 data file")
    parser.add_argument("--timed", type=int, default=40, help="batches timed of each kind")
    args = parser.parse_args()
    torch.set_num_threads(2)
    texts = [text for text, _ in clinc_split(json.loads(args.path.read_text()), "train")]
    base = packaged_base_model()
    tokenizer = load_tokenizer(base)
    lengths = token_counts(tokenizer, texts, MAX_LENGTH)
    kinds = {
        "random": random_batches(len(texts), BATCH_SIZE, torch.Generator().manual_seed(0)),
        "by length": length_bucketed_batches(lengths, BATCH_SIZE, torch.Generator().manual_seed(0)),
    }
    torch.manual_seed(0)
    model = SentenceClassifier.from_base(base, 151).train()
    loss_fn = nn.CrossEntropyLoss()
    seconds: dict[str, list[float]] = {kind: [] for kind in kinds}
    for step in range(args.timed):
        for kind, batches in kinds.items():
            batch = tokenize(tokenizer, [texts[i] for i in batches[step]], MAX_LENGTH)
            target = torch.zeros(len(batches[step]), dtype=torch.long)
            started = time.perf_counter()
            loss_fn(model(batch["input_ids"], batch["attention_mask"]), target).backward()
            seconds[kind].append(time.perf_counter() - started)
            model.zero_grad()
    rows = {
        kind: {
            "tokens_per_epoch": padded_tokens(batches, lengths),
            "seconds_per_batch_median": round(statistics.median(seconds[kind]), 3),
        }
        for kind, batches in kinds.items()
    }
    report = {
        "texts": len(texts),
        "batch_size": BATCH_SIZE,
        "timed_batches_each": args.timed,
        "kinds": rows,
    }
    write_result("batching", report)
    print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
