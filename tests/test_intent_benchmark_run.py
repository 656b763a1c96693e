"""The intent benchmark reads from a trained model archive whether our classifier kept int8."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from bench.intent_run import kept_int8


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
    model = archive(
        tmp_path / "m.tar.gz",
        {
            "metadata.json": {"quantized": not quantized},
            "components/train_BertIntentClassifier0/classifier.json": {"quantized": quantized},
        },
    )
    assert kept_int8(model) is quantized


def test_a_model_without_our_classifier_has_no_answer(tmp_path: Path):
    assert kept_int8(archive(tmp_path / "m.tar.gz", {"metadata.json": {}})) is None
