"""The evaluation scripts' own logic, on hand-made parses (no trained model needed)."""

from __future__ import annotations

import pytest

from bench.gates.entity_gate import micro_scores
from bench.gates.escalation_eval import evaluate, scores, settings_from_config
from bench.gates.gate import gate
from bench.gates.nlu_gate import format_report
from bot.rasa_config import policy_config
from nlu_models.frustration import FrustrationSettings


def parse(intent: str, negative: float) -> dict:
    scores_ = {"negative": negative, "neutral": 1 - negative, "positive": 0.0}
    return {"intent": {"name": intent}, "sentiment": {"scores": scores_}}


CONVERSATIONS = [
    {"id": "asks", "expect": "escalate", "turns": [{"text": "hi"}, {"text": "a human please"}]},
    {"id": "calm", "expect": "stay", "turns": [{"text": "hi"}, {"text": "where is my order"}]},
    {
        "id": "fails",
        "expect": "escalate",
        "turns": [
            {"text": "where is my order"},
            {"text": "123456 a@example.com", "verification_failed": True},
            {"text": "123456 a@example.com", "verification_failed": True},
        ],
    },
    {"id": "early", "expect": "stay", "turns": [{"text": "a human please"}, {"text": "hi"}]},
]
PARSES = {
    "hi": parse("greet", 0.0),
    "a human please": parse("request_human", 0.1),
    "where is my order": parse("order_status", 0.1),
    "123456 a@example.com": parse("inform", 0.3),
}


def test_a_conversation_counts_as_escalated_when_any_turn_escalates():
    outcomes = {o.id: o for o in evaluate(CONVERSATIONS, PARSES, FrustrationSettings())}
    assert outcomes["asks"].escalated and outcomes["asks"].reason == "asked for a person"
    assert not outcomes["calm"].escalated
    assert outcomes["early"].escalated  # it escalated after its first turn: a false alarm here
    assert len(outcomes["fails"].trajectory) == 3


def test_precision_and_recall():
    outcomes = evaluate(CONVERSATIONS, PARSES, FrustrationSettings(threshold=0.5))
    result = scores(outcomes)
    assert result["precision"] == pytest.approx(2 / 3)
    assert result["recall"] == 1.0


def test_the_evaluation_uses_the_policy_settings_in_config_yml():
    configured = policy_config("EscalationPolicy")
    assert configured["action"] == "action_offer_human"
    assert settings_from_config().threshold == configured["threshold"]
    assert policy_config("NoSuchPolicy") == {}


def test_gates_pass_at_the_minimum_and_fail_below(capsys: pytest.CaptureFixture[str]):
    assert gate("macro-F1", 0.8, 0.8) == 0
    assert gate("macro-F1", 0.79, 0.8) == 1
    assert "FAIL: macro-F1 0.790 is below 0.80" in capsys.readouterr().out


def test_entity_scores_are_micro_averaged_over_the_chosen_types_only():
    report = {
        "brand": {"precision": 1.0, "recall": 0.5, "f1-score": 0.667, "support": 10},
        "colour": {"precision": 0.5, "recall": 1.0, "f1-score": 0.667, "support": 10},
        "max_price": {"precision": 0.0, "recall": 0.0, "f1-score": 0.0, "support": 30},
        "micro avg": {"precision": 0.1, "recall": 0.1, "f1-score": 0.1, "support": 50},
    }
    # brand: 5 of 10 found, 5 predicted; colour: 10 of 10 found, 20 predicted.
    precision, recall, f1 = micro_scores(report, frozenset({"brand", "colour", "size"}))
    assert precision == pytest.approx(15 / 25) and recall == pytest.approx(15 / 20)
    assert f1 == pytest.approx(2 * 0.6 * 0.75 / 1.35)
    assert "max_price" not in format_report(report, "entity", frozenset({"brand", "colour"}))
