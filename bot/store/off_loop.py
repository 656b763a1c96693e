"""Store queries from the web process: on a worker thread, with a timeout, one session each."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.store.db import session_scope

logger = logging.getLogger(__name__)
T = TypeVar("T")
Query = Callable[[Callable[[Session], T]], Awaitable[T]]


class StoreDown(Exception):
    """The store database did not answer."""


def store_queries(sessions: sessionmaker, timeout_s: float) -> Query:
    """A function that runs `work(session)` off the event loop and commits, or raises StoreDown."""

    async def query(work: Callable[[Session], T]) -> T:
        def run() -> T:
            with session_scope(sessions) as session:
                return work(session)

        try:
            return await asyncio.wait_for(asyncio.to_thread(run), timeout_s + 1)
        except (asyncio.TimeoutError, SQLAlchemyError, OSError) as exc:
            logger.warning("store database unavailable (%s)", type(exc).__name__)
            raise StoreDown from exc

    return query
