"""Print the per-intent report of `rasa test nlu` and fail below a macro-F1 gate."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench.gates.gate import gate

SUMMARY_KEYS = ("accuracy", "macro avg", "weighted avg", "micro avg")


def format_report(report: dict, label: str = "intent", only: frozenset[str] | None = None) -> str:
    """One row per class, then the macro average; only the classes in `only`, when given."""
    rows = [f"{label:<26}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}"]
    for name, scores in sorted(report.items()):
        if name in SUMMARY_KEYS or not isinstance(scores, dict):
            continue
        if only is not None and name not in only:
            continue
        rows.append(
            f"{name:<26}{scores['precision']:>10.3f}{scores['recall']:>10.3f}"
            f"{scores['f1-score']:>10.3f}{scores['support']:>9}"
        )
    if only is not None:
        return "\n".join(rows)
    macro = report["macro avg"]
    rows.append(
        f"{'macro avg':<26}{macro['precision']:>10.3f}{macro['recall']:>10.3f}"
        f"{macro['f1-score']:>10.3f}{macro['support']:>9}"
    )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("report", type=Path, help="intent_report.json written by rasa test nlu")
    parser.add_argument("--min-macro-f1", type=float, required=True)
    args = parser.parse_args(argv)
    report = json.loads(args.report.read_text())
    print(format_report(report))
    return gate("intent macro-F1", report["macro avg"]["f1-score"], args.min_macro_f1)


if __name__ == "__main__":
    sys.exit(main())
