"""How long a full `rasa train` of the assistant takes, component by component.

    python -m bench.train_time

Trains everything from scratch (nothing is restored from Rasa's cache; what is trained is cached
in $RASA_CACHE_DIRECTORY, which `make bench` sets as `make train` does) into a temporary folder,
and writes
bench/results/train_time.json: the wall time, each trained component's seconds and the peak
memory. The target (`TARGET_SECONDS`) is the whole training within 10 minutes on the 2-core
development machine.
"""

from __future__ import annotations

import logging
import resource
import sys
import tempfile
import time
from pathlib import Path

from bench.result_file import write_result

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 600
STARTING = "Starting to train component '"
FINISHED = "Finished training component '"


class ComponentClock(logging.Handler):
    """Seconds between Rasa's 'Starting to train' and 'Finished training' lines, per component."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.seconds: dict[str, float] = {}
        self._started: dict[str, float] = {}

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        for prefix, starts in ((STARTING, True), (FINISHED, False)):
            if message.startswith(prefix):
                name = message[len(prefix) :].split("'")[0]
                if starts:
                    self._started[name] = time.perf_counter()
                elif name in self._started:
                    elapsed = time.perf_counter() - self._started.pop(name)
                    self.seconds[name] = self.seconds.get(name, 0.0) + elapsed


def main() -> None:
    from rasa.model_training import train

    clock = ComponentClock()
    hooks = logging.getLogger("rasa.engine.training.hooks")
    hooks.setLevel(logging.INFO)
    hooks.addHandler(clock)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        result = train(
            str(ROOT / "domain.yml"),
            str(ROOT / "config.yml"),
            [str(ROOT / "data")],
            output=folder,
            force_training=True,
        )
        total = time.perf_counter() - started
    if result.code:
        sys.exit(f"rasa train failed with code {result.code}")
    slowest_first = sorted(clock.seconds.items(), key=lambda item: -item[1])
    components = {name: round(seconds, 1) for name, seconds in slowest_first}
    report = {
        "total_seconds": round(total, 1),
        "target_seconds": TARGET_SECONDS,
        "components_seconds": components,
        "other_seconds": round(total - sum(clock.seconds.values()), 1),
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    write_result("train_time", report)
    print("| component | seconds |\n|---|---|")
    for name, seconds in components.items():
        print(f"| {name} | {seconds} |")
    print(f"| everything else (reading data, untrained steps) | {report['other_seconds']} |")
    verdict = "within" if total <= TARGET_SECONDS else "over"
    print(f"| total | {report['total_seconds']} ({verdict} the {TARGET_SECONDS} s target) |")


if __name__ == "__main__":
    main()
