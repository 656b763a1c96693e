"""Sentiment on the held-out shopper messages: accuracy, macro-F1, a report, and a gate."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sklearn.metrics import accuracy_score, classification_report, confusion_matrix, f1_score

from bench.gates.gate import gate
from bench.gates.model_parser import parse_all
from nlu_models.sentiment_analyzer import LABELS, read_labelled


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("holdout", type=Path, help="CSV with text,label")
    parser.add_argument("--model", type=Path, default=Path("models"))
    parser.add_argument("--out", type=Path, default=Path("results/sentiment"))
    parser.add_argument("--min-macro-f1", type=float, required=True)
    args = parser.parse_args(argv)
    texts, truth = read_labelled(args.holdout)
    predicted = [p["sentiment"]["label"] for p in parse_all(args.model, texts)]
    accuracy = accuracy_score(truth, predicted)
    macro_f1 = float(f1_score(truth, predicted, labels=list(LABELS), average="macro"))
    print(classification_report(truth, predicted, labels=list(LABELS), digits=3))
    print("confusion (rows: true, columns: predicted)", LABELS)
    print(confusion_matrix(truth, predicted, labels=list(LABELS)))
    mistakes = [(t, y, p) for t, y, p in zip(texts, truth, predicted, strict=True) if y != p]
    for text, wanted, got in mistakes[:15]:
        print(f"  {wanted:>8} → {got:<8} {text}")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.json").write_text(
        json.dumps({"accuracy": accuracy, "macro_f1": macro_f1, "messages": len(texts)}, indent=2)
    )
    print(
        f"sentiment on {len(texts)} held-out messages: accuracy {accuracy:.3f}, "
        f"macro-F1 {macro_f1:.3f}"
    )
    return gate("sentiment macro-F1", macro_f1, args.min_macro_f1)


if __name__ == "__main__":
    sys.exit(main())
