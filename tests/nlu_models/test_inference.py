"""Classifying needs none of the training code."""

from __future__ import annotations

import subprocess
import sys

from bot.config import PROJECT_ROOT


def test_inference_imports_nothing_of_training():
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, nlu_models.inference, nlu_models.torchscript\n"
            "print(' '.join(sys.modules))",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert "nlu_models.inference" in loaded
    assert "nlu_models.fine_tuning" not in loaded
