"""The intent benchmark reads from a trained model archive what our classifier's training chose."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from bench.intent_run import latency_summary, loading_as, pipeline, training_choices


def archive(path: Path, files: dict[str, dict]) -> str:
    with tarfile.open(path, "w:gz") as tar:
        for name, content in files.items():
            data = json.dumps(content).encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return str(path)


@pytest.mark.parametrize("quantized", [True, False])
def test_the_classifier_json_says_whether_int8_was_kept(tmp_path: Path, quantized: bool):
    accuracy = {"float": 0.97, "int8": 0.969 if quantized else 0.95}
    model = archive(
        tmp_path / "m.tar.gz",
        {
            "metadata.json": {"quantized": not quantized},
            "components/train_BertIntentClassifier0/classifier.json": {
                "quantized": quantized,
                "validation_accuracy": accuracy,
                "kept_epoch": 4,
            },
        },
    )
    assert training_choices(model) == {
        "kept_epoch": 4,
        "int8": quantized,
        "validation_accuracy_float": 0.97,
        "validation_accuracy_int8": accuracy["int8"],
    }


def test_a_model_without_our_classifier_has_no_answer(tmp_path: Path):
    assert training_choices(archive(tmp_path / "m.tar.gz", {"metadata.json": {}})) == {}


def test_only_our_classifier_is_given_the_validation_file(tmp_path: Path):
    validation = tmp_path / "validation.yml"
    assert pipeline("bert", None, validation)[-1]["validation_file"] == str(validation)
    assert "validation_file" not in pipeline("bert", None)[-1]
    assert "validation_file" not in pipeline("diet", 30, validation)[-1]


def test_only_our_classifier_is_given_the_overrides():
    assert pipeline("bert", None, overrides={"random_seed": 7})[-1]["random_seed"] == 7
    assert "random_seed" not in pipeline("bert", None)[-1]
    assert "random_seed" not in pipeline("diet", 30, overrides={"random_seed": 7})[-1]


@pytest.mark.parametrize("int8", [True, False])
def test_a_copy_of_the_archive_loads_the_same_weights_in_the_other_precision(
    tmp_path: Path, int8: bool
):
    meta = {"quantized": not int8, "labels": ["greet", "thank"], "temperature": 1.5}
    files = {
        "metadata.json": {"fingerprint": "abc"},
        "components/train_BertIntentClassifier0/classifier.json": meta,
    }
    copy = loading_as(archive(tmp_path / "m.tar.gz", files), int8=int8, folder=tmp_path)
    with tarfile.open(copy) as tar:
        read = {m.name: json.load(tar.extractfile(m)) for m in tar.getmembers()}
    assert read == {
        **files,
        "components/train_BertIntentClassifier0/classifier.json": {**meta, "quantized": int8},
    }


def test_latency_is_summarised_in_milliseconds():
    summary = latency_summary([0.001 * k for k in range(1, 101)])
    assert summary == {"latency_ms_p50": 50.5, "latency_ms_p95": 95.0}
