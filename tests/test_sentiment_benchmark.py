"""The benchmark's pure helpers: SST-2 parsing, the 3 → 2 label mapping, metrics, percentiles."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.sentiment_benchmark import (
    binary_label,
    classification_metrics,
    latency_percentiles,
    parse_sst2_line,
    read_sst2,
    write_labelled,
)
from nlu_models.sentiment_analyzer import read_labelled


def test_an_sst2_line_is_its_label_then_its_text():
    assert parse_sst2_line("1 a stirring , funny re-imagining\n") == (
        "a stirring , funny re-imagining",
        "positive",
    )
    assert parse_sst2_line("0 crème brûlée , rancid .") == ("crème brûlée , rancid .", "negative")


@pytest.mark.parametrize("line", ["2 a fine film", "1", "1   \n", "positive a fine film", ""])
def test_a_malformed_sst2_line_is_an_error(line: str):
    with pytest.raises(ValueError):
        parse_sst2_line(line)


def test_read_sst2_skips_blank_lines_honours_the_limit_and_names_a_bad_line(tmp_path: Path):
    data = tmp_path / "stsa.binary.train"
    data.write_text("1 good\n\n0 bad\n1 fine\n", encoding="utf-8")
    assert read_sst2(data) == (["good", "bad", "fine"], ["positive", "negative", "positive"])
    assert read_sst2(data, limit=2) == (["good", "bad"], ["positive", "negative"])
    data.write_text("1 good\n7 odd\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"stsa\.binary\.train:2"):
        read_sst2(data)


def test_the_two_label_csv_is_what_the_component_reads(tmp_path: Path):
    texts = ['he said "fine", then left', "a , b"]
    labels = ["negative", "positive"]
    assert read_labelled(write_labelled(tmp_path / "x.csv", texts, labels)) == (texts, labels)


def test_neutral_is_ignored_when_mapping_to_binary():
    assert binary_label({"negative": 0.1, "neutral": 0.8, "positive": 0.1001}) == "positive"
    assert binary_label({"negative": 0.3, "neutral": 0.6, "positive": 0.1}) == "negative"
    assert binary_label({"negative": 0.2, "neutral": 0.1, "positive": 0.7}) == "positive"


def test_classification_metrics():
    gold = ["negative", "negative", "positive", "positive"]
    predicted = ["negative", "positive", "positive", "positive"]
    # F1: negative 2/3, positive 0.8
    assert classification_metrics(gold, predicted) == {"accuracy": 0.75, "macro_f1": 0.7333}


def test_latency_percentiles_are_in_milliseconds():
    seconds = [i / 1000 for i in range(1, 101)]
    assert latency_percentiles(seconds) == {"latency_ms_p50": 50.5, "latency_ms_p95": 95.0}
