"""The one way async code reaches the store: blocking work on a worker thread, with a timeout.

The action server (actions/store_access.py), the agent console, the demo store and the
recommendation service all wait for the store through here, so an unreachable or slow store
reads the same everywhere: `StoreUnavailable`, which each answers politely.
"""

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

MARGIN_S = 1.0
"""How much longer than the database's own timeout a query may take before it is given up."""


class StoreUnavailable(Exception):
    """The store database could not be reached in time."""


async def off_loop(work: Callable[[], T], timeout_s: float) -> T:
    """`work()` on a worker thread; a timeout, a database or a network error: StoreUnavailable."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(work), timeout_s)
    except (asyncio.TimeoutError, SQLAlchemyError, OSError) as exc:
        logger.warning("store database unavailable (%s)", type(exc).__name__)
        raise StoreUnavailable from exc


async def in_session(
    sessions: Callable[[], sessionmaker], work: Callable[[Session], T], db_timeout_s: float
) -> T:
    """`work(session)` off the event loop in a fresh session, committed on success.

    `sessions()` gives the session factory; it is called on the worker thread too, so a store
    whose engine cannot even be made is unavailable like one that does not answer. Given up
    `MARGIN_S` after the database's own timeout (`db_timeout_s`): StoreUnavailable.
    """

    def run() -> T:
        with session_scope(sessions()) as session:
            return work(session)

    return await off_loop(run, db_timeout_s + MARGIN_S)


def store_queries(sessions: sessionmaker, db_timeout_s: float) -> Query:
    """`in_session` bound to one session factory: what a web app's handlers call."""

    async def query(work: Callable[[Session], T]) -> T:
        return await in_session(lambda: sessions, work, db_timeout_s)

    return query
