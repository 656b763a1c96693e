"""Parse texts with the trained Rasa model, exactly as the running assistant would."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def parse_all(model_dir: Path, texts: Sequence[str]) -> list[dict[str, Any]]:
    """Rasa's parse data (intent, entities, sentiment) for each text, from the newest model."""
    from rasa.core.agent import Agent  # loading Rasa takes seconds: only when parsing
    from rasa.model import get_local_model
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # no per-message debug lines with shoppers' words

    agent = Agent.load(get_local_model(str(model_dir)))

    async def parse() -> list[dict[str, Any]]:
        return [await agent.parse_message(text) for text in texts]

    return asyncio.run(parse())
