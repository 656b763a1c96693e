"""Run store queries off the event loop, with a short timeout, and report an unreachable store."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.config import get_settings
from bot.store.db import make_engine, make_session_factory, session_scope

logger = logging.getLogger(__name__)
T = TypeVar("T")

UNAVAILABLE_TEXT = (
    "Sorry, our store systems aren't answering right now, so I can't look that up. "
    "Please try again in a few minutes. I can still answer general questions in the meantime."
)


class StoreUnavailable(Exception):
    """The store database could not be reached in time."""


@lru_cache(maxsize=1)
def session_factory() -> sessionmaker:
    settings = get_settings()
    return make_session_factory(make_engine(settings.store_db_url, timeout_s=settings.db_timeout_s))


def _run_in_session(work: Callable[[Session], T]) -> T:
    with session_scope(session_factory()) as session:
        return work(session)


async def in_store(work: Callable[[Session], T]) -> T:
    """Run `work` in a fresh session on a worker thread; commit on success."""
    timeout = get_settings().db_timeout_s + 1.0
    try:
        return await asyncio.wait_for(asyncio.to_thread(_run_in_session, work), timeout)
    except (asyncio.TimeoutError, SQLAlchemyError, OSError) as exc:
        logger.warning("store database unavailable (%s)", type(exc).__name__)
        raise StoreUnavailable from exc
