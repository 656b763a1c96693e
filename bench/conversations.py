"""Multi-goal shopper conversations, run end to end against the whole stack, with checks.

    python -m bench.conversations FILE [FILE ...] [--model models] [--min-pass SHARE]

Each FILE is a list of scenarios in the format of shared/data/conversations/README.md: `id`,
`shopper` (`guest` or `signed_in`), and turns with `say` and regular expressions the answer must
(`expect`) and must not (`reject`) match, with placeholders (`{email}`, `{order_<status>}`,
`{other_order}`, ...) filled from a freshly seeded demo store. For each FILE this seeds a store,
starts the recommender, the action server and the Rasa server on it (loopback, free ports), and
plays every scenario over REST as a new conversation from an address of its own. It prints the
share of scenarios that pass, per class (the id's prefix), and writes every failed check to
bench/results/conversations-<file name>.json. With --min-pass it exits 1 when a file's share of
passing scenarios is below SHARE (the gate `make test-conversations` applies to the blind set).
Never train on these conversations, never edit one to make it pass.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.result_file import write_result
from bot.auth import issue_shopper_token
from bot.config import load_settings
from bot.rasa_env import rasa_environment
from bot.service_process import Service
from bot.store.db import make_engine, make_session_factory, migrate, session_scope
from bot.store.models import Customer, Order
from bot.store.seed import seed_store

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
FLAGS = re.IGNORECASE | re.DOTALL


@dataclass(frozen=True)
class Cast:
    """The demo customer and the other shopper the scenarios' placeholders stand for."""

    values: dict[str, str]
    customer_id: int

    def fill(self, text: str) -> str:
        """`text` with every known placeholder filled; unknown ones stay as they are."""
        return PLACEHOLDER.sub(lambda m: self.values.get(m.group(1), m.group(0)), text)


def cast_of(session: Session) -> Cast:
    """The customer whose orders cover the most states, their orders by state, and another."""
    orders = session.execute(select(Order).order_by(Order.number)).scalars().all()
    states: dict[int, set[str]] = defaultdict(set)
    for order in orders:
        states[order.customer_id].add(order.status.value)
    demo_id = max(sorted(states), key=lambda c: len(states[c]))
    demo = session.get(Customer, demo_id)
    assert demo is not None
    values = {"email": demo.email, "first_name": demo.first_name}
    for order in orders:
        if order.customer_id == demo_id:
            values.setdefault(f"order_{order.status.value}", order.number)
    other = next(o for o in orders if o.customer_id != demo_id)
    values.update(other_order=other.number, other_email=other.customer.email)
    return Cast(values, demo_id)


def answer_text(messages: list[dict[str, Any]]) -> str:
    """What a turn is checked against: texts, button titles as [title], custom payloads as JSON."""
    parts = []
    for message in messages:
        if message.get("text"):
            parts.append(str(message["text"]))
        parts += [f"[{b.get('title', '')}]" for b in message.get("buttons") or []]
        if message.get("custom"):
            parts.append(json.dumps(message["custom"]))
    return "\n".join(parts)


def failed_checks(answer: str, turn: dict[str, Any], cast: Cast) -> list[str]:
    """The turn's checks that do not hold for `answer`."""
    failed = [
        f"expect {p}"
        for p in turn.get("expect") or []
        if not re.search(cast.fill(p), answer, FLAGS)
    ]
    failed += [
        f"reject {p}" for p in turn.get("reject") or [] if re.search(cast.fill(p), answer, FLAGS)
    ]
    return failed


def play(
    rasa_url: str, scenario: dict[str, Any], cast: Cast, jwt_secret: str
) -> list[dict[str, Any]]:
    """Play one scenario as a new conversation; the failed turns with their answers."""
    sender = f"bench-{uuid.uuid4().hex}"
    address = "127.{}.{}.{}".format(*uuid.uuid4().bytes[:3])
    metadata = {}
    if scenario.get("shopper") == "signed_in":
        metadata["shopper_token"] = issue_shopper_token(cast.customer_id, secret=jwt_secret)
    failures = []
    for number, turn in enumerate(scenario["turns"], start=1):
        said = cast.fill(str(turn["say"]))
        reply = requests.post(
            f"{rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": said, "metadata": metadata},
            headers={"X-Forwarded-For": address},
            timeout=120,
        )
        answer = answer_text(reply.json() if reply.ok else [{"text": f"HTTP {reply.status_code}"}])
        failed = failed_checks(answer, turn, cast)
        if failed:
            failures.append({"turn": number, "say": said, "answer": answer, "failed": failed})
    return failures


@contextmanager
def running_stack(folder: Path, model_dir: Path) -> Iterator[tuple[str, Cast]]:
    """A freshly seeded store and the services on it; yields the Rasa URL and the cast."""
    store_url = f"sqlite:///{folder / 'store.db'}"
    migrate(store_url)
    engine = make_engine(store_url)
    with session_scope(make_session_factory(engine)) as session:
        seed_store(session)
        cast = cast_of(session)
    engine.dispose()
    env = rasa_environment()
    env.update(
        SHOPDESK_DB_URL=store_url,
        SHOPDESK_TRACKER_URL=f"sqlite:///{folder / 'tracker.db'}",
        SHOPDESK_MODEL_DIR=str(model_dir),
        SHOPDESK_RECOMMENDER_DIR=str(folder / "recommender"),
        SHOPDESK_TRUSTED_PROXIES="127.0.0.1",
    )
    recommender = Service("recommender", env, folder / "recommender.log")
    actions = Service("actions", env, folder / "actions.log")
    env["SHOPDESK_RECOMMENDER_URL"] = f"http://127.0.0.1:{recommender.port}"
    env["SHOPDESK_ACTION_URL"] = f"http://127.0.0.1:{actions.port}/webhook"
    rasa = Service("serve", env, folder / "rasa.log")
    started: list[Service] = []
    try:
        for service in (recommender, actions, rasa):
            started.append(service.start())
        yield f"http://127.0.0.1:{rasa.port}", cast
    finally:
        for service in reversed(started):
            service.stop()


def run_file(path: Path, model_dir: Path) -> dict[str, Any]:
    """Every scenario of one file against a fresh stack: pass counts per class and failures."""
    scenarios = yaml.safe_load(path.read_text(encoding="utf-8"))
    secret = load_settings().jwt_secret
    passed: Counter[str] = Counter()
    total: Counter[str] = Counter()
    failures: dict[str, list[dict[str, Any]]] = {}
    with (
        tempfile.TemporaryDirectory() as folder,
        running_stack(Path(folder), model_dir) as (url, cast),
    ):
        for scenario in scenarios:
            kind = str(scenario["id"]).split("-")[0]
            failed = play(url, scenario, cast, secret)
            total[kind] += 1
            if failed:
                failures[scenario["id"]] = failed
            else:
                passed[kind] += 1
    return {
        "file": path.name,
        "passed": sum(passed.values()),
        "scenarios": sum(total.values()),
        "by_class": {k: {"passed": passed[k], "scenarios": total[k]} for k in sorted(total)},
        "failures": failures,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--model", type=Path, default=Path("models"))
    parser.add_argument("--min-pass", type=float, default=0.0, help="fail below this share")
    args = parser.parse_args()
    below = []
    for path in args.files:
        report = run_file(path, args.model.resolve())
        write_result(f"conversations-{path.stem}", report)
        print(f"\n{path}: {report['passed']} of {report['scenarios']} scenarios pass")
        print("| class | pass |\n|---|---|")
        for kind, counts in report["by_class"].items():
            print(f"| {kind} | {counts['passed']} / {counts['scenarios']} |")
        if report["passed"] < args.min_pass * report["scenarios"]:
            below.append(path.name)
    if below:
        raise SystemExit(f"below the gate of {args.min_pass:.0%} passing: {', '.join(below)}")


if __name__ == "__main__":
    main()
