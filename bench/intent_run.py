"""One benchmark run in its own process: train one NLU pipeline, parse a test set, report JSON.

Run by bench/intent_benchmark.py so each system's peak memory is measured alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import tempfile
import time
from pathlib import Path

import yaml

RASA_DEFAULT_PIPELINE: list[
    dict[str, object]
] = [  # what `rasa init` writes, i.e. Rasa's default DIET pipeline
    {"name": "WhitespaceTokenizer"},
    {"name": "RegexFeaturizer"},
    {"name": "LexicalSyntacticFeaturizer"},
    {"name": "CountVectorsFeaturizer"},
    {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4},
    {"name": "DIETClassifier", "epochs": 100, "constrain_similarities": True},
]
BERT_PIPELINE: list[dict[str, object]] = [
    {"name": "WhitespaceTokenizer"},
    {"name": "nlu_models.bert_intent_classifier.BertIntentClassifier", "show_progress": False},
]
LATENCY_SAMPLE = 200


def pipeline(system: str, epochs: int | None) -> list[dict[str, object]]:
    """The system's pipeline; `epochs` overrides its trained (last) component's epochs."""
    steps = [dict(s) for s in (BERT_PIPELINE if system == "bert" else RASA_DEFAULT_PIPELINE)]
    if epochs:
        steps[-1]["epochs"] = epochs
    return steps


async def parse_all(model: str, texts: list[str]) -> tuple[list[tuple[str, float]], list[float]]:
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    predictions, latencies = [], []
    for i, text in enumerate(texts):
        started = time.perf_counter()
        parsed = await agent.parse_message(text)
        if i < LATENCY_SAMPLE:
            latencies.append(time.perf_counter() - started)
        intent = parsed.get("intent") or {}
        predictions.append((intent.get("name") or "", float(intent.get("confidence") or 0.0)))
    return predictions, latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("system", choices=("bert", "diet"))
    parser.add_argument("train", type=Path, help="Rasa NLU YAML")
    parser.add_argument("test", type=Path, help="JSON list of [text, intent]")
    parser.add_argument("out", type=Path, help="where to write the JSON report")
    parser.add_argument("--epochs", type=int, default=None)
    args = parser.parse_args()
    from rasa.model_training import train_nlu

    test = json.loads(args.test.read_text())
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "config.yml"
        config.write_text(
            yaml.safe_dump(
                {
                    "recipe": "default.v1",
                    "language": "en",
                    "pipeline": pipeline(args.system, args.epochs),
                }
            )
        )
        started = time.perf_counter()
        model = train_nlu(str(config), str(args.train), str(Path(folder) / "models"))
        train_s = time.perf_counter() - started
        predictions, latencies = asyncio.run(parse_all(str(model), [t for t, _ in test]))
    latencies_ms = sorted(1000 * x for x in latencies)
    args.out.write_text(
        json.dumps(
            {
                "system": args.system,
                "epochs": args.epochs,
                "train_seconds": round(train_s, 1),
                "predictions": predictions,
                "latency_ms_p50": round(statistics.median(latencies_ms), 2),
                "latency_ms_p95": round(latencies_ms[int(0.95 * (len(latencies_ms) - 1))], 2),
                "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            }
        )
    )


if __name__ == "__main__":
    main()
