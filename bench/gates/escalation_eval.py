"""The escalation decision on labelled conversations: precision and recall, with a gate.

Every shopper turn goes through the trained model (intent and sentiment); the frustration
signal runs with the settings config.yml gives the EscalationPolicy. A conversation counts as
escalated when the decision escalates after any of its turns.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bench.gates.gate import gate
from bench.gates.model_parser import parse_all
from bot.rasa_config import policy_config
from nlu_models.frustration import FrustrationSettings, decide, settings_of, turn_of


@dataclass(frozen=True)
class Outcome:
    id: str
    expected: bool
    escalated: bool
    reason: str
    trajectory: list[float]
    hard: bool


def settings_from_config() -> FrustrationSettings:
    return settings_of(policy_config("EscalationPolicy"))


def evaluate(
    conversations: list[dict[str, Any]], parses: dict[str, dict], settings: FrustrationSettings
) -> list[Outcome]:
    outcomes = []
    for conversation in conversations:
        turns = [
            turn_of(parses[t["text"]], bool(t.get("verification_failed")))
            for t in conversation["turns"]
        ]
        decisions = [decide(turns[: i + 1], settings) for i in range(len(turns))]
        first = next((d for d in decisions if d.escalate), decisions[-1])
        outcomes.append(
            Outcome(
                conversation["id"],
                conversation["expect"] == "escalate",
                first.escalate,
                first.reason,
                decisions[-1].trajectory,
                bool(conversation.get("hard")),
            )
        )
    return outcomes


def scores(outcomes: list[Outcome]) -> dict[str, float]:
    tp = sum(o.expected and o.escalated for o in outcomes)
    fp = sum(not o.expected and o.escalated for o in outcomes)
    fn = sum(o.expected and not o.escalated for o in outcomes)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    accuracy = sum(o.expected == o.escalated for o in outcomes) / max(1, len(outcomes))
    return {"precision": precision, "recall": recall, "f1": f1, "accuracy": accuracy}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("conversations", type=Path, help="YAML with labelled conversations")
    parser.add_argument("--model", type=Path, default=Path("models"))
    parser.add_argument("--out", type=Path, default=Path("results/escalation"))
    parser.add_argument("--min-precision", type=float, default=0.0)
    parser.add_argument("--min-recall", type=float, default=0.0)
    args = parser.parse_args(argv)
    conversations = yaml.safe_load(args.conversations.read_text())["conversations"]
    texts = sorted({t["text"] for c in conversations for t in c["turns"]})
    parses = dict(zip(texts, parse_all(args.model, texts), strict=True))
    outcomes = evaluate(conversations, parses, settings_from_config())
    result = scores(outcomes)
    for o in outcomes:
        if o.expected != o.escalated:
            wanted = "escalate" if o.expected else "stay"
            print(f"  wrong ({wanted}{', hard' if o.hard else ''}): {o.id} {o.trajectory}")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.conversations.stem}.json").write_text(json.dumps(result, indent=2))
    print(
        f"escalation on {len(outcomes)} conversations "
        f"({sum(o.expected for o in outcomes)} should escalate): precision "
        f"{result['precision']:.3f}, recall {result['recall']:.3f}, F1 {result['f1']:.3f}, "
        f"accuracy {result['accuracy']:.3f}"
    )
    return max(
        gate("escalation precision", result["precision"], args.min_precision),
        gate("escalation recall", result["recall"], args.min_recall),
    )


if __name__ == "__main__":
    sys.exit(main())
