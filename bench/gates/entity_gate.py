"""Entity precision, recall and F1 of one extractor from `rasa test nlu`, over chosen types.

Rasa's per-extractor report covers every annotated entity type, also those the extractor never
produces; each extractor is measured on its own types (the catalog extractor on its five, DIET
on prices, quantities, order numbers and e-mail addresses).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench.gates.gate import gate
from bench.gates.nlu_gate import format_report


def micro_scores(report: dict, types: frozenset[str]) -> tuple[float, float, float]:
    """Micro-averaged precision, recall and F1 over `types`, from the per-type rows."""
    true_positives = predicted = actual = 0.0
    for name in types & report.keys():
        row = report[name]
        hits = row["recall"] * row["support"]
        true_positives += hits
        actual += row["support"]
        predicted += hits / row["precision"] if row["precision"] > 0 else 0.0
    precision = true_positives / predicted if predicted else 0.0
    recall = true_positives / actual if actual else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("report", type=Path, help="<Extractor>_report.json from rasa test nlu")
    parser.add_argument("--types", required=True, help="comma-separated entity types")
    parser.add_argument("--min-f1", type=float, required=True)
    parser.add_argument("--label", default="entity F1", help="what the gate line calls the score")
    args = parser.parse_args(argv)
    report = json.loads(args.report.read_text())
    types = frozenset(args.types.split(","))
    print(format_report(report, label="entity", only=types))
    precision, recall, f1 = micro_scores(report, types)
    print(f"{args.report.stem}: precision {precision:.3f}, recall {recall:.3f}, F1 {f1:.3f}")
    return gate(args.label, f1, args.min_f1)


if __name__ == "__main__":
    sys.exit(main())
