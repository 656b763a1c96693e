"""Try fine-tuning settings for our intent classifier on a CLINC150 file, judged on its val split.

    python -m bench.intent_tuning PATH/TO/clinc150/data_small.json --name lr1e-4 \\
        --set learning_rate=1e-4 --set epochs=10

Trains exactly as `rasa train` does (the classifier's default config, overridden by `--set`) on
the file's train + oos_train texts, and after every epoch scores CLINC150's own validation split
(val + oos_val), which neither training nor early stopping sees. The test split is never read:
settings are chosen here, and `bench.intent_benchmark` then measures them on the test split.
Each run is merged into bench/results/intent_tuning.json under its name.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from dataclasses import fields
from pathlib import Path

from sklearn.metrics import f1_score

from bench.intent_benchmark import OOS, RESULTS, clinc_split
from bench.settings_override import parse_override
from nlu_models.bert_intent_classifier import BertIntentClassifier
from nlu_models.encoder import SentenceClassifier, load_tokenizer, packaged_base_model
from nlu_models.fine_tuning import FineTuneSettings, fine_tune
from nlu_models.inference import predict_logits


def scores(gold: list[str], predicted: list[str]) -> dict[str, float]:
    """In-scope accuracy (as the benchmark counts it), macro-F1 and plain oos recall."""
    in_scope = [k for k, g in enumerate(gold) if g != OOS]
    oos = [k for k, g in enumerate(gold) if g == OOS]
    return {
        "accuracy": round(sum(predicted[k] == gold[k] for k in in_scope) / len(in_scope), 4),
        "macro_f1": round(float(f1_score(gold, predicted, average="macro")), 4),
        "oos_recall": round(sum(predicted[k] == OOS for k in oos) / max(1, len(oos)), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("path", type=Path, help="CLINC150 JSON file")
    parser.add_argument("--name", required=True, help="the run's key in intent_tuning.json")
    parser.add_argument("--set", dest="overrides", type=parse_override, action="append")
    args = parser.parse_args()
    logging.basicConfig(format="%(message)s")
    logging.getLogger("nlu_models").setLevel(logging.INFO)  # early stopping, per-label report
    overrides = dict(args.overrides or [])
    config = {**BertIntentClassifier.get_default_config(), "show_progress": False, **overrides}
    settings = FineTuneSettings(**{f.name: config[f.name] for f in fields(FineTuneSettings)})

    data = json.loads(args.path.read_text())
    train, val = clinc_split(data, "train"), clinc_split(data, "val")
    labels = sorted({i for _, i in train})
    index = {name: k for k, name in enumerate(labels)}
    tokenizer = load_tokenizer(packaged_base_model())
    val_texts, val_gold = [t for t, _ in val], [i for _, i in val]
    trajectory: list[dict] = []

    def on_epoch(epoch: int, model: SentenceClassifier) -> None:
        logits = predict_logits(model, tokenizer, val_texts, max_length=settings.max_length)
        row = {"epoch": epoch, **scores(val_gold, [labels[k] for k in logits.argmax(1).tolist()])}
        trajectory.append(row)
        print(json.dumps(row), flush=True)

    started = time.perf_counter()
    tuned = fine_tune(
        [t for t, _ in train],
        [index[i] for _, i in train],
        labels,
        base_model=packaged_base_model(),
        tokenizer=tokenizer,
        settings=settings,
        on_epoch=on_epoch,
    )
    kept = next((row for row in trajectory if row["epoch"] == tuned.best_epoch), None)
    result = {
        "data": args.path.name,
        "overrides": overrides,
        "train_seconds": round(time.perf_counter() - started, 1),
        "best_epoch": tuned.best_epoch,
        "kept": kept,
        "per_epoch": trajectory,
    }
    print(json.dumps(result, indent=2))
    path = RESULTS / "intent_tuning.json"
    earlier = json.loads(path.read_text()) if path.exists() else {}
    path.write_text(json.dumps({**earlier, args.name: result}, indent=2) + "\n")


if __name__ == "__main__":
    main()
