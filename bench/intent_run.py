"""One benchmark run in its own process: train one NLU pipeline, parse a test set, report JSON.

Run by bench/intent_benchmark.py so each system's peak memory is measured alone.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import resource
import statistics
import tarfile
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


def pipeline(
    system: str,
    epochs: int | None,
    validation: Path | None = None,
    overrides: dict[str, object] | None = None,
) -> list[dict[str, object]]:
    """The system's pipeline; `epochs` overrides its trained (last) component's epochs, while
    `validation` names our classifier's validation file and `overrides` change its settings."""
    steps = [dict(s) for s in (BERT_PIPELINE if system == "bert" else RASA_DEFAULT_PIPELINE)]
    if epochs:
        steps[-1]["epochs"] = epochs
    if validation and system == "bert":
        steps[-1]["validation_file"] = str(validation)
    if overrides and system == "bert":
        steps[-1].update(overrides)
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


def training_choices(model: str) -> dict[str, object]:
    """The epoch our classifier kept, whether it kept int8 weights, and the validation
    accuracies it chose int8 by.

    Read from its JSON in the model archive; empty for a pipeline without our classifier.
    """
    from nlu_models.inference import META_FILE

    with tarfile.open(model) as archive:
        for member in archive.getmembers():
            if member.name.endswith(f"/{META_FILE}"):
                extracted = archive.extractfile(member)
                meta = json.load(extracted) if extracted else {}
                accuracy = meta.get("validation_accuracy") or {}
                return {
                    "kept_epoch": meta.get("kept_epoch"),
                    "int8": bool(meta.get("quantized")),
                    "validation_accuracy_float": accuracy.get("float"),
                    "validation_accuracy_int8": accuracy.get("int8"),
                }
    return {}


def loading_as(model: str, *, int8: bool, folder: Path) -> str:
    """A copy of the model archive whose classifier loads its float weights in int8 or in float.

    The archive always holds the float weights; the JSON's `quantized` says how they load.
    """
    from nlu_models.inference import META_FILE

    copy = folder / f"{'int8' if int8 else 'float'}.tar.gz"
    with tarfile.open(model) as source, tarfile.open(copy, "w:gz") as target:
        for member in source.getmembers():
            content = source.extractfile(member) if member.isfile() else None
            if content is not None and member.name.endswith(f"/{META_FILE}"):
                payload = json.dumps({**json.load(content), "quantized": int8}).encode()
                member.size, content = len(payload), io.BytesIO(payload)
            target.addfile(member, content)
    return str(copy)


def latency_summary(latencies: list[float]) -> dict[str, float]:
    """p50 and p95 of single-message parse times, in milliseconds."""
    ms = sorted(1000 * x for x in latencies)
    return {
        "latency_ms_p50": round(statistics.median(ms), 2),
        "latency_ms_p95": round(ms[int(0.95 * (len(ms) - 1))], 2),
    }


def other_variant(model: str, int8: bool, texts: list[str], folder: Path) -> dict[str, object]:
    """Our classifier's test predictions and latency with the precision its training did not
    choose: the same trained weights, so float and int8 compare on one model."""
    predictions, latencies = asyncio.run(
        parse_all(loading_as(model, int8=not int8, folder=folder), texts)
    )
    return {
        "variant": "float" if int8 else "int8",
        "predictions": predictions,
        **latency_summary(latencies),
    }


def run_rasa(
    system: str,
    train: Path,
    texts: list[str],
    epochs: int | None,
    validation: Path | None,
    overrides: dict[str, object],
) -> tuple[float, list[tuple[str, float]], list[float], dict[str, object]]:
    """Train a Rasa NLU pipeline with `rasa.model_training.train_nlu`, then parse every text."""
    from rasa.model_training import train_nlu

    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "config.yml"
        config.write_text(
            yaml.safe_dump(
                {
                    "recipe": "default.v1",
                    "language": "en",
                    "pipeline": pipeline(system, epochs, validation, overrides),
                }
            )
        )
        started = time.perf_counter()
        model = train_nlu(str(config), str(train), str(Path(folder) / "models"))
        train_s = time.perf_counter() - started
        predictions, latencies = asyncio.run(parse_all(str(model), texts))
        choices = training_choices(str(model))
        if choices:
            choices["other_variant"] = other_variant(
                str(model), bool(choices["int8"]), texts, Path(folder)
            )
        return train_s, predictions, latencies, choices


def run_probe(train: Path, texts: list[str]) -> tuple[float, list[tuple[str, float]], list[float]]:
    """The bar from DESIGN.md: logistic regression on frozen, mean-pooled MiniLM embeddings."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
    from sentence_transformers import SentenceTransformer
    from sklearn.linear_model import LogisticRegression

    from nlu_models.encoder import packaged_base_model

    examples = RasaYAMLReader().read(str(train)).intent_examples
    started = time.perf_counter()
    encoder = SentenceTransformer(str(packaged_base_model()), device="cpu")
    features = encoder.encode([m.get("text") for m in examples], batch_size=64)
    probe = LogisticRegression(max_iter=2000, C=10.0)
    probe.fit(features, [m.get("intent") for m in examples])
    train_s = time.perf_counter() - started
    predictions, latencies = [], []
    for i, text in enumerate(texts):
        begun = time.perf_counter()
        probabilities = probe.predict_proba(encoder.encode([text]))[0]
        if i < LATENCY_SAMPLE:
            latencies.append(time.perf_counter() - begun)
        best = int(probabilities.argmax())
        predictions.append((str(probe.classes_[best]), float(probabilities[best])))
    return train_s, predictions, latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("system", choices=("bert", "diet", "probe"))
    parser.add_argument("train", type=Path, help="Rasa NLU YAML")
    parser.add_argument("test", type=Path, help="JSON list of [text, intent]")
    parser.add_argument("out", type=Path, help="where to write the JSON report")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument(
        "--validation", type=Path, default=None, help="Rasa NLU YAML our classifier validates on"
    )
    parser.add_argument(
        "--overrides", type=json.loads, default={}, help="JSON object of our classifier's settings"
    )
    args = parser.parse_args()
    texts = [text for text, _ in json.loads(args.test.read_text())]
    choices: dict[str, object] = {}
    if args.system == "probe":
        train_s, predictions, latencies = run_probe(args.train, texts)
    else:
        train_s, predictions, latencies, choices = run_rasa(
            args.system, args.train, texts, args.epochs, args.validation, args.overrides
        )
    args.out.write_text(
        json.dumps(
            {
                "system": args.system,
                "epochs": args.epochs,
                "train_seconds": round(train_s, 1),
                "predictions": predictions,
                **latency_summary(latencies),
                "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                # What our classifier's training chose: the kept epoch, int8 weights or not;
                # and how the precision it did not choose does on the test set.
                **choices,
                **(
                    {
                        "validated_on": "given split" if args.validation else "held-out share",
                        "overrides": args.overrides,
                    }
                    if args.system == "bert"
                    else {}
                ),
            }
        )
    )


if __name__ == "__main__":
    main()
