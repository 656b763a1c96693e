"""How long the NLU pipeline holds the Rasa server for the worst messages the channels let in.

    python -m bench.worst_message [--model models] [--runs 5]

NLU runs on the Rasa server's event loop, so one slow message makes every other shopper on that
process wait. The channels refuse messages longer than `SHOPDESK_MAX_MESSAGE_CHARS` (1,000) before
NLU; this parses messages of exactly that length, each built to be hard for one component
(typo matching over many unknown words, many catalog words, numbers, e-mail addresses, one
unbroken token), with the trained model, and reports each one's slowest parse beside a short
message's. Writes bench/results/worst_message.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import string
import time
from pathlib import Path

from bench.result_file import write_result
from bot.config import load_settings


def crafted(limit: int, seed: int = 7) -> dict[str, str]:
    """Messages of `limit` characters, each aimed at one part of the pipeline."""
    rng = random.Random(seed)

    def fill(piece: str) -> str:
        return (piece * (limit // len(piece) + 1))[:limit]

    unknown = " ".join(
        "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 9)))
        for _ in range(limit // 6)
    )
    return {
        "short": "where is my order?",
        "unknown words (typo matching)": unknown[:limit],
        "catalog words": fill("adiddas hoddies blue jackets size medium nike running shoes "),
        "order numbers and prices": fill("100042 $49.99 123456 under 50 euros "),
        "e-mail addresses": fill("maria.lopez@example.com "),
        "one unbroken token": "x" * limit,
        "punctuation": fill("!?.,;:-_()[]{} "),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=Path("models"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from rasa.core.agent import Agent  # loading Rasa takes seconds: only here
    from rasa.model import get_local_model
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # no per-message debug lines
    agent = Agent.load(get_local_model(str(args.model)))
    limit = load_settings().max_message_chars

    async def slowest(text: str) -> float:
        await agent.parse_message(text)  # warm-up
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            await agent.parse_message(text)
            times.append(time.perf_counter() - started)
        return max(times) * 1000

    rows = {name: asyncio.run(slowest(text)) for name, text in crafted(limit).items()}
    write_result(
        "worst_message",
        {"max_message_chars": limit, "runs": args.runs, "slowest_parse_ms": rows},
    )
    print(f"| message ({limit:,} characters) | slowest parse of {args.runs} |\n|---|---|")
    for name, ms in rows.items():
        print(f"| {name} | {ms:.1f} ms |")


if __name__ == "__main__":
    main()
