"""Our fine-tuned sentiment component on held-out shopper messages and on SST-2, and its latency.

    python -m bench.sentiment_benchmark [--sst2 PATH] [--sst2-train-limit N] [--skip-sst2-finetune]
    python -m bench.sentiment_benchmark --smoke   # 1 epoch, 200 SST-2 sentences, saved in /tmp

1. `store`: SentimentAnalyzer trained as `rasa train` trains it (its default config, the file
   data/sentiment/shopper_messages.csv, a real LocalModelStorage), loaded back as Rasa loads it,
   and scored on tests/sentiment_holdout.csv (accuracy, macro-F1). The same model is then run on
   the SST-2 test sentences (transfer): its negative and positive probabilities decide, neutral is
   ignored. Latency is `process([message])` for one message at a time, after warm-up calls.
2. `sst2_finetuned`: the same component and recipe trained on SST-2 train (labels negative and
   positive only; the recipe fits any label set drawn from read_labelled's three) and scored on
   SST-2 test. Like the store model it holds out 15% of its training data for early stopping and
   calibration; stsa.binary.dev is not used.

SST-2 is read from --sst2 (default ../shared/data/sst2: stsa.binary.{train,test}, one sentence a
line, `0` or `1` then the text) and never copied into the repository; the fine-tuning CSV lives in
a temporary directory. The published references (fine-tuned BERT-base ≈ 0.93, DistilBERT ≈ 0.91
accuracy) were trained on the phrase-level SST-2 (67k examples); stsa.binary.train has 6,920
sentence-level examples, so they are context, not a like-for-like comparison. BERT-base's score
is on these same 1,821 test sentences (GLUE's SST-2 test), DistilBERT's on the 872 dev sentences.

Results are merged into bench/results/sentiment.json (rows not run keep their earlier values) and
printed as a Markdown table. Peak memory is the process's peak RSS once a row is finished, so the
second row's includes the first's.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import torch
import transformers
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.metrics import f1_score
from transformers import PreTrainedTokenizerBase

from nlu_models.inference import META_FILE
from nlu_models.sentiment_analyzer import SENTIMENT, SentimentAnalyzer, read_labelled

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
STORE_TRAIN = ROOT / "data" / "sentiment" / "shopper_messages.csv"
HOLDOUT = ROOT / "tests" / "sentiment_holdout.csv"
DEFAULT_SST2 = ROOT.parent / "shared" / "data" / "sst2"
SST2_LABELS = {"0": "negative", "1": "positive"}
WARMUP_CALLS = 10
LATENCY_CALLS = 200
SMOKE = {"epochs": 1, "sst2_train_limit": 200, "sst2_test_limit": 200}
"""--smoke: enough to run every step end to end, far too little to mean anything."""
PUBLISHED = {
    "BERT-base (published)": {
        "trained_on": "SST-2 phrases (67k)",
        "sst2_accuracy": 0.93,
        "source": "Devlin et al. 2019, GLUE SST-2",
    },
    "DistilBERT (published)": {
        "trained_on": "SST-2 phrases (67k)",
        "sst2_accuracy": 0.91,
        "source": "Sanh et al. 2019, GLUE SST-2 dev",
    },
}


def parse_sst2_line(line: str) -> tuple[str, str]:
    """(text, label) from a stsa.binary line: `0` (negative) or `1` (positive), then the text."""
    code, _, text = line.strip().partition(" ")
    if code not in SST2_LABELS or not text.strip():
        raise ValueError(f"expected `0|1 text`, got {line!r}")
    return text.strip(), SST2_LABELS[code]


def read_sst2(path: Path, limit: int | None = None) -> tuple[list[str], list[str]]:
    """Texts and labels of the first `limit` (default: all) non-blank lines of a stsa file."""
    texts: list[str] = []
    labels: list[str] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if limit is not None and len(texts) >= limit:
                break
            if not line.strip():
                continue
            try:
                text, label = parse_sst2_line(line)
            except ValueError as error:
                raise ValueError(f"{path}:{number}: {error}") from None
            texts.append(text)
            labels.append(label)
    return texts, labels


def write_labelled(path: Path, texts: Sequence[str], labels: Sequence[str]) -> Path:
    """A `text,label` CSV, the format read_labelled (and so the component) reads."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(zip(texts, labels, strict=True))
    return path


def binary_label(scores: Mapping[str, float]) -> str:
    """Negative or positive, whichever is more probable; neutral's probability is ignored."""
    return "positive" if scores["positive"] > scores["negative"] else "negative"


def classification_metrics(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, float]:
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)
    macro_f1 = f1_score(list(gold), list(predicted), average="macro", zero_division=0)
    return {"accuracy": round(accuracy, 4), "macro_f1": round(float(macro_f1), 4)}


def latency_percentiles(seconds: Sequence[float]) -> dict[str, float]:
    """Median and 95th percentile in milliseconds (nearest rank below, as intent_run)."""
    ms = sorted(1000 * s for s in seconds)
    return {
        "latency_ms_p50": round(statistics.median(ms), 2),
        "latency_ms_p95": round(ms[int(0.95 * (len(ms) - 1))], 2),
    }


def peak_rss_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def train_and_load(
    config: dict[str, Any], storage: LocalModelStorage, name: str
) -> tuple[SentimentAnalyzer, dict[str, Any]]:
    """Create → train → persist as the training graph does, then `load` as inference does."""
    config = {**SentimentAnalyzer.get_default_config(), **config}
    resource_ = Resource(name)
    context = ExecutionContext(GraphSchema({}), name)
    started = time.perf_counter()
    SentimentAnalyzer.create(config, storage, resource_, context).train(TrainingData())
    trained = time.perf_counter()
    loaded = SentimentAnalyzer.load(config, storage, resource_, context)
    loaded_at = time.perf_counter()
    if not isinstance(loaded, SentimentAnalyzer) or loaded.model is None:
        sys.exit(f"{name}: the trained model did not load back from the model storage")
    with storage.read_from(resource_) as directory:
        meta = json.loads((directory / META_FILE).read_text())
    return loaded, {
        "train_seconds": round(trained - started, 1),
        "load_seconds": round(loaded_at - trained, 2),
        "epochs_max": config["epochs"],
        "int8_quantized": meta["quantized"],
        "temperature": round(meta["temperature"], 3),
    }


def sentiments(component: SentimentAnalyzer, texts: Sequence[str]) -> list[dict[str, Any]]:
    """The `sentiment` that `process` attaches to each text's message."""
    messages = component.process([Message({TEXT: text}) for text in texts])
    return [message.get(SENTIMENT) for message in messages]


def truncated_share(tokenizer: PreTrainedTokenizerBase, texts: Sequence[str], limit: int) -> float:
    """Share of the texts longer than `limit` tokens, which the component truncates."""
    lengths = [len(ids) for ids in tokenizer(list(texts))["input_ids"]]
    return round(sum(n > limit for n in lengths) / len(lengths), 4)


def time_single_messages(component: SentimentAnalyzer, texts: Sequence[str]) -> dict[str, Any]:
    """`process` latency for one message per call, as Rasa calls it for each user message."""
    for text in texts[:WARMUP_CALLS]:
        component.process([Message({TEXT: text})])
    seconds = []
    for i in range(LATENCY_CALLS):
        message = Message({TEXT: texts[i % len(texts)]})
        started = time.perf_counter()
        component.process([message])
        seconds.append(time.perf_counter() - started)
    return {
        **latency_percentiles(seconds),
        "latency_calls": LATENCY_CALLS,
        "torch_threads": torch.get_num_threads(),
    }


def store_row(
    storage: LocalModelStorage, overrides: dict[str, Any], sst2_test: tuple[list[str], list[str]]
) -> dict[str, Any]:
    """The production model: store holdout, SST-2 transfer, and per-message latency."""
    texts, _ = read_labelled(STORE_TRAIN)
    print(f"store: training on {len(texts)} messages", file=sys.stderr, flush=True)
    component, training = train_and_load(
        {**overrides, "training_file": str(STORE_TRAIN)}, storage, "store_sentiment"
    )
    holdout_texts, holdout_labels = read_labelled(HOLDOUT)
    holdout = classification_metrics(
        holdout_labels, [s["label"] for s in sentiments(component, holdout_texts)]
    )
    sst2_texts, sst2_labels = sst2_test
    on_sst2 = sentiments(component, sst2_texts)
    transfer = classification_metrics(sst2_labels, [binary_label(s["scores"]) for s in on_sst2])
    return {
        "trained_on": STORE_TRAIN.relative_to(ROOT).as_posix(),
        "train_examples": len(texts),
        **training,
        "holdout_examples": len(holdout_texts),
        "holdout_accuracy": holdout["accuracy"],
        "holdout_macro_f1": holdout["macro_f1"],
        "sst2_test_examples": len(sst2_texts),
        "sst2_accuracy": transfer["accuracy"],
        "sst2_macro_f1": transfer["macro_f1"],
        "sst2_neutral_top_share": round(
            sum(s["label"] == "neutral" for s in on_sst2) / len(on_sst2), 4
        ),
        **time_single_messages(component, holdout_texts),
        "peak_rss_mb": peak_rss_mb(),
    }


def sst2_row(
    storage: LocalModelStorage,
    overrides: dict[str, Any],
    sst2_train: tuple[list[str], list[str]],
    sst2_test: tuple[list[str], list[str]],
    folder: Path,
) -> dict[str, Any]:
    """The same recipe fine-tuned on SST-2 train (two labels), scored on SST-2 test."""
    texts, labels = sst2_train
    print(f"sst2_finetuned: training on {len(texts)} sentences", file=sys.stderr, flush=True)
    data = write_labelled(folder / "sst2_train.csv", texts, labels)  # never in the repository
    component, training = train_and_load(
        {**overrides, "training_file": str(data)}, storage, "sst2_sentiment"
    )
    test_texts, test_labels = sst2_test
    scores = classification_metrics(
        test_labels, [s["label"] for s in sentiments(component, test_texts)]
    )
    assert component.tokenizer is not None
    return {
        "trained_on": "SST-2 stsa.binary.train (sentences)",
        "train_examples": len(texts),
        **training,
        "labels": component.labels,
        "sst2_test_examples": len(test_texts),
        "sst2_accuracy": scores["accuracy"],
        "sst2_macro_f1": scores["macro_f1"],
        "sst2_test_truncated_share": truncated_share(
            component.tokenizer, test_texts, component.config["max_length"]
        ),
        "peak_rss_mb": peak_rss_mb(),
    }


def platform_row(started: float) -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "wall_seconds": round(time.perf_counter() - started, 1),
        "peak_rss_mb": peak_rss_mb(),
    }


def table(rows: Mapping[str, Mapping[str, Any]]) -> str:
    columns = [
        "trained_on",
        "train_examples",
        "holdout_accuracy",
        "holdout_macro_f1",
        "sst2_accuracy",
        "sst2_macro_f1",
        "train_seconds",
        "latency_ms_p50",
        "latency_ms_p95",
        "torch_threads",
        "peak_rss_mb",
    ]
    lines = [
        "### sentiment",
        "",
        "| system | " + " | ".join(columns) + " |",
        "|---" * (len(columns) + 1) + "|",
    ]
    for system, row in rows.items():
        if system != "run":
            lines.append(
                f"| {system} | " + " | ".join(str(row.get(c, "–")) for c in columns) + " |"
            )
    return "\n".join(lines)


def results_path(smoke: bool) -> Path:
    """bench/results/sentiment.json; a smoke run's results go to the temp directory instead."""
    if smoke:
        return Path(tempfile.gettempdir()) / "sentiment_smoke.json"
    return RESULTS / "sentiment.json"


def save(path: Path, rows: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Merge into `path`: rows not run this time keep their earlier results."""
    path.parent.mkdir(parents=True, exist_ok=True)
    earlier = json.loads(path.read_text()) if path.exists() else {}
    merged = {**earlier, **rows, **PUBLISHED}
    path.write_text(json.dumps(merged, indent=2) + "\n")
    return merged


def footnote(run: Mapping[str, Any], smoke: bool) -> str:
    return (
        f"{run['platform']}, {run['cpu_count']} CPUs, torch {run['torch']}; "
        f"{run['wall_seconds']} s in all. Peak RSS is the process's, cumulative over the rows.\n"
        "Published rows: fine-tuned on the phrase-level SST-2 (67k examples); ours on at most "
        "the 6,920 sentence-level examples of stsa.binary.train."
        + (
            "\nSMOKE RUN (1 epoch, 200 SST-2 sentences each): the numbers mean nothing."
            if smoke
            else ""
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sst2", type=Path, default=DEFAULT_SST2, help="stsa.binary.* folder")
    parser.add_argument("--sst2-train-limit", type=int, default=None, help="default: all 6920")
    parser.add_argument("--skip-sst2-finetune", action="store_true")
    parser.add_argument("--smoke", action="store_true", help="a tiny run, not saved in results")
    args = parser.parse_args()
    for split in ("train", "test"):
        if not (args.sst2 / f"stsa.binary.{split}").is_file():
            parser.error(f"no stsa.binary.{split} in {args.sst2}")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    started = time.perf_counter()
    overrides = {"epochs": SMOKE["epochs"]} if args.smoke else {}
    train_limit = args.sst2_train_limit or (SMOKE["sst2_train_limit"] if args.smoke else None)
    test_limit = SMOKE["sst2_test_limit"] if args.smoke else None
    sst2_test = read_sst2(args.sst2 / "stsa.binary.test", test_limit)
    rows: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as folder:
        storage = LocalModelStorage(Path(folder))  # the resources' parent must exist
        rows["store"] = store_row(storage, overrides, sst2_test)
        if not args.skip_sst2_finetune:
            sst2_train = read_sst2(args.sst2 / "stsa.binary.train", train_limit)
            rows["sst2_finetuned"] = sst2_row(
                storage, overrides, sst2_train, sst2_test, Path(folder)
            )
    rows["run"] = platform_row(started)
    path = results_path(args.smoke)
    merged = save(path, rows)
    print(f"results: {path}", file=sys.stderr)
    print(table(merged) + "\n\n" + footnote(rows["run"], args.smoke))


if __name__ == "__main__":
    main()
