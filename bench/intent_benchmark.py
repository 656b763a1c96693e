"""Our fine-tuned BERT intent classifier beside Rasa's default DIET and a frozen-encoder probe.

    python -m bench.intent_benchmark project
    python -m bench.intent_benchmark clinc PATH/TO/clinc150/data_small.json [--diet-epochs N]

`project` trains on data/nlu/ and tests on tests/nlu_holdout.yml. `clinc` reads a CLINC150 file
(keys train/val/test and oos_*; each a list of [text, intent]); out-of-scope training examples are
one more intent, `oos` (the paper's "oos-train" setting). On CLINC150 every system trains on the
whole train split, and our classifier validates (early stopping, calibration) on the val split,
as the paper's models were tuned; on the project data it holds out 10% of training. Each
system trains and parses in its own process, so its peak memory is its own. Our classifier is
also tested in the precision its training did not keep (float or int8), from the same weights;
`--bert-set key=value` changes one of its fine-tuning settings (`random_seed=1`). Results are merged
into bench/results/intent_<dataset>.json (systems not run keep their earlier rows) and printed
as a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from sklearn.metrics import f1_score

from bench.settings_override import override_label, parse_override

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
OOS = "oos"
FALLBACK_THRESHOLDS = {"bert": 0.5, "diet": 0.3, "probe": 0.5}
"""Each system's fallback threshold: ours from config.yml, DIET's from Rasa's default config."""


def yaml_examples(path: Path) -> list[tuple[str, str]]:
    data = RasaYAMLReader().read(str(path))
    return [(m.get("text"), m.get("intent")) for m in data.intent_examples]


def nlu_yaml(examples: list[tuple[str, str]]) -> str:
    by_intent: dict[str, list[str]] = {}
    for text, intent in examples:
        by_intent.setdefault(intent, []).append(text)
    lines = ['version: "3.1"', "nlu:"]
    for intent, texts in sorted(by_intent.items()):
        lines += [f"- intent: {intent}", "  examples: |"]
        lines += [f"    - {' '.join(t.split())}" for t in texts]
    return "\n".join(lines) + "\n"


def load_dataset(kind: str, path: Path | None) -> tuple[list, list, list]:
    """Training, validation (empty: none given) and test examples as (text, intent) pairs."""
    if kind == "project":
        train = [e for f in sorted((ROOT / "data" / "nlu").glob("*.yml")) for e in yaml_examples(f)]
        return train, [], yaml_examples(ROOT / "tests" / "nlu_holdout.yml")
    assert path is not None
    data = json.loads(path.read_text())
    return clinc_split(data, "train"), clinc_split(data, "val"), clinc_split(data, "test")


def clinc_split(data: dict, name: str) -> list[tuple[str, str]]:
    """One CLINC150 split with its out-of-scope texts labelled `oos`."""
    return [(t, i) for t, i in data[name]] + [(t, OOS) for t, _ in data[f"oos_{name}"]]


def metrics(system: str, test: list[tuple[str, str]], predictions: list) -> dict:
    """In-scope accuracy and macro-F1; out-of-scope recall, plain and with the fallback."""
    threshold = FALLBACK_THRESHOLDS[system]
    gold = [i for _, i in test]
    predicted = [p for p, _ in predictions]
    fallback = [p if c >= threshold else OOS for p, c in predictions]
    in_scope = [k for k, g in enumerate(gold) if g != OOS]
    oos = [k for k, g in enumerate(gold) if g == OOS]
    result = {
        "accuracy": sum(predicted[k] == gold[k] for k in in_scope) / len(in_scope),
        "macro_f1": f1_score(
            [gold[k] for k in in_scope],
            [predicted[k] for k in in_scope],
            average="macro",
            zero_division=0,
        ),
        "fallback_threshold": threshold,
        "accuracy_with_fallback": sum(fallback[k] == gold[k] for k in in_scope) / len(in_scope),
    }
    if oos:
        result["oos_recall"] = sum(predicted[k] == OOS for k in oos) / len(oos)
        result["oos_recall_with_fallback"] = sum(fallback[k] == OOS for k in oos) / len(oos)
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in result.items()}


def run_system(
    system: str,
    train_file: Path,
    test_file: Path,
    epochs: int | None,
    validation: Path | None,
    overrides: dict[str, object],
) -> dict:
    out = train_file.with_name(f"{system}.json")
    command = [
        sys.executable,
        "-m",
        "bench.intent_run",
        system,
        str(train_file),
        str(test_file),
        str(out),
    ]
    if epochs:
        command += ["--epochs", str(epochs)]
    if validation:
        command += ["--validation", str(validation)]
    if overrides:
        command += ["--overrides", json.dumps(overrides)]
    print(f"running: {' '.join(command[1:])}", file=sys.stderr, flush=True)
    started = time.perf_counter()
    with out.with_suffix(".log").open("w") as log:
        finished = subprocess.run(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    if finished.returncode:
        sys.exit(f"{system} failed:\n" + out.with_suffix(".log").read_text()[-3000:])
    report = json.loads(out.read_text())
    report["wall_seconds"] = round(time.perf_counter() - started, 1)
    report["epochs"] = report["epochs"] or "default"
    return report


def table(dataset: str, rows: dict[str, dict]) -> str:
    columns = [
        "accuracy",
        "macro_f1",
        "oos_recall",
        "oos_recall_with_fallback",
        "accuracy_with_fallback",
        "train_seconds",
        "latency_ms_p50",
        "latency_ms_p95",
        "peak_memory_mb",
        "epochs",
        "int8",
    ]
    lines = [
        f"### {dataset}",
        "",
        "| system | " + " | ".join(columns) + " |",
        "|---" * (len(columns) + 1) + "|",
    ]
    for system, row in rows.items():
        lines.append(f"| {system} | " + " | ".join(str(row.get(c, "–")) for c in columns) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("dataset", choices=("project", "clinc"))
    parser.add_argument("path", nargs="?", type=Path, help="CLINC150 JSON file")
    parser.add_argument(
        "--systems",
        default="bert,diet,probe",
        help="bert: ours; diet: Rasa's default pipeline; probe: logistic "
        "regression on frozen MiniLM embeddings",
    )
    parser.add_argument("--diet-epochs", type=int, default=None, help="default: Rasa's 100")
    parser.add_argument("--bert-epochs", type=int, default=None, help="default: config's 8")
    parser.add_argument(
        "--bert-set",
        dest="bert_overrides",
        type=parse_override,
        action="append",
        metavar="KEY=VALUE",
        help="a fine-tuning setting of our classifier (random_seed=1, epochs=10, ...); the row "
        "is named after them ('bert, random_seed=1'), beside the default one",
    )
    args = parser.parse_args()
    if args.dataset == "clinc" and not args.path:
        parser.error("clinc needs the path of a CLINC150 JSON file")
    train, validation, test = load_dataset(args.dataset, args.path)
    # Named after CLINC150's repository (oos-eval) and the variant (data_full.json → full), so
    # results never look like the data itself.
    variant = args.path.stem.removeprefix("data_") if args.path else ""
    name = args.dataset if args.dataset == "project" else f"oos-eval-{variant}"
    print(
        f"{name}: {len(train)} training and {len(test)} test examples, "
        f"{len({i for _, i in train})} intents; {platform.processor() or platform.machine()}",
        file=sys.stderr,
    )
    rows: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as folder:
        train_file, test_file = Path(folder) / "train.yml", Path(folder) / "test.json"
        train_file.write_text(nlu_yaml(train))
        test_file.write_text(json.dumps(test))
        validation_file = Path(folder) / "validation.yml" if validation else None
        if validation_file:
            validation_file.write_text(nlu_yaml(validation))
        for system in args.systems.split(","):
            epochs = args.diet_epochs if system == "diet" else args.bert_epochs
            overrides = dict(args.bert_overrides or []) if system == "bert" else {}
            report = run_system(system, train_file, test_file, epochs, validation_file, overrides)
            row = ", ".join([system, override_label(overrides)]) if overrides else system
            other = report.get("other_variant")
            if other:  # our classifier in the precision its training did not choose
                other.update(metrics(system, test, other.pop("predictions")))
            rows[row] = {**metrics(system, test, report.pop("predictions")), **report}
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"intent_{name}.json"
    earlier = json.loads(path.read_text()) if path.exists() else {}
    merged = {**earlier, **rows}  # systems not run this time keep their earlier results
    path.write_text(json.dumps(merged, indent=2) + "\n")
    print(table(name, merged))


if __name__ == "__main__":
    main()
