"""The tuning script's settings overrides and the scores it judges them by."""

from __future__ import annotations

import argparse

import pytest

from bench.intent_tuning import scores
from bench.settings_override import override_label, parse_override


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("epochs=10", ("epochs", 10)),
        ("learning_rate=1e-4", ("learning_rate", 1e-4)),
        ("label_smoothing=0.1", ("label_smoothing", 0.1)),
        ("class_weighting=false", ("class_weighting", False)),
    ],
)
def test_overrides_are_typed_like_the_defaults(text: str, expected: tuple) -> None:
    key, value = parse_override(text)
    assert (key, value) == expected
    assert type(value) is type(expected[1])


@pytest.mark.parametrize("text", ["epoch=3", "ranking_length=3", "quantize=false"])
def test_only_fine_tuning_settings_can_be_overridden(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        parse_override(text)


def test_scores_count_in_scope_accuracy_and_oos_recall_apart() -> None:
    gold = ["greet", "greet", "thank", "oos", "oos"]
    predicted = ["greet", "oos", "thank", "oos", "greet"]
    result = scores(gold, predicted)
    assert result["accuracy"] == pytest.approx(2 / 3, abs=1e-4)
    assert result["oos_recall"] == 0.5
    assert 0 < result["macro_f1"] < 1


def test_a_runs_overrides_name_its_row_in_order():
    assert override_label({"random_seed": 1, "epochs": 10}) == "random_seed=1, epochs=10"
