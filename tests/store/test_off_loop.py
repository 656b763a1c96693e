"""The one way async code reaches the store: off the event loop, with a timeout."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.store.db import make_engine, make_session_factory
from bot.store.off_loop import StoreUnavailable, in_session, off_loop, store_queries


def test_work_runs_on_a_worker_thread() -> None:
    loop_thread = threading.get_ident()
    assert asyncio.run(off_loop(threading.get_ident, 1.0)) != loop_thread


@pytest.mark.parametrize(
    "work",
    [
        lambda: time.sleep(0.5),
        lambda: (_ for _ in ()).throw(OperationalError("SELECT 1", {}, Exception("down"))),
        lambda: (_ for _ in ()).throw(ConnectionRefusedError()),
    ],
)
def test_a_slow_or_unreachable_store_is_unavailable(work) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(StoreUnavailable):
        asyncio.run(off_loop(work, 0.1))


def test_other_errors_are_not_hidden() -> None:
    def broken() -> None:
        raise KeyError("a bug")

    with pytest.raises(KeyError):
        asyncio.run(off_loop(broken, 1.0))


def test_a_session_commits_and_a_factory_that_fails_is_unavailable(tmp_path: Path) -> None:
    sessions = make_session_factory(make_engine(f"sqlite:///{tmp_path / 's.db'}"))

    def write(session: Session) -> int:
        session.execute(text("CREATE TABLE IF NOT EXISTS t (x INTEGER)"))
        session.execute(text("INSERT INTO t VALUES (7)"))
        return 1

    query = store_queries(sessions, db_timeout_s=1.0)
    assert asyncio.run(query(write)) == 1
    assert asyncio.run(query(lambda s: s.execute(text("SELECT x FROM t")).scalar())) == 7

    def no_factory() -> sessionmaker:
        make_engine("not a database url")
        raise AssertionError("unreachable")

    with pytest.raises(StoreUnavailable):
        asyncio.run(in_session(no_factory, write, db_timeout_s=1.0))
