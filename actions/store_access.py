"""The action server's store: its session factory, and store queries on it off the event loop.

An unreachable store raises `bot.store.off_loop.StoreUnavailable`; actions answer it with
UNAVAILABLE_TEXT (actions/base.py).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker

from bot.config import get_settings
from bot.store.db import make_engine, make_session_factory
from bot.store.off_loop import in_session

T = TypeVar("T")

UNAVAILABLE_TEXT = (
    "Sorry, our store systems aren't answering right now, so I can't look that up. "
    "Please try again in a few minutes. I can still answer general questions in the meantime."
)


@lru_cache(maxsize=1)
def session_factory() -> sessionmaker:
    settings = get_settings()
    return make_session_factory(make_engine(settings.store_db_url, timeout_s=settings.db_timeout_s))


async def in_store(work: Callable[[Session], T]) -> T:
    """Run `work` in a fresh session on a worker thread; commit on success."""
    return await in_session(session_factory, work, get_settings().db_timeout_s)
