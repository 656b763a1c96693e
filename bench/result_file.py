"""A benchmark's result file under bench/results/, stamped with the machine and the date."""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def write_result(name: str, report: dict[str, object]) -> Path:
    """Write `report` as bench/results/NAME.json with the machine and today's date added."""
    stamped = {
        **report,
        "machine": f"{platform.machine()}, {len(os.sched_getaffinity(0))} cores",
        "date": time.strftime("%Y-%m-%d"),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(stamped, indent=2) + "\n")
    return path
