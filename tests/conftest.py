"""Shared fixtures: a freshly seeded store per test, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from actions.store_access import session_factory
from bot.config import get_settings
from bot.service_process import Service, free_port
from bot.store.db import make_engine, make_session_factory, migrate, session_scope
from bot.store.seed import seed_store
from tests.server_process import Shop, service_env

PG_URL = os.environ.get("SHOPDESK_TEST_PG_URL", "")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]
TEMPLATE_DB = "shopdesk_seed"
TEST_DB = "shopdesk_test"


def _pg_admin():  # type: ignore[no-untyped-def]
    return create_engine(PG_URL, isolation_level="AUTOCOMMIT", future=True)


def _pg_url(database: str) -> str:
    return str(make_url(PG_URL).set(database=database))


def _seed(url: str) -> None:
    migrate(url)
    engine = make_engine(url)
    with session_scope(make_session_factory(engine)) as session:
        seed_store(session)
    engine.dispose()


def _recreate_pg(database: str, template: str | None = None) -> None:
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :db"),
            {"db": database},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}"'))
        suffix = f' TEMPLATE "{template}"' if template else ""
        conn.execute(text(f'CREATE DATABASE "{database}"{suffix}'))
    admin.dispose()


@pytest.fixture(scope="session")
def seeded_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One seeded database per backend, copied for every test that needs a store."""
    templates = {}
    sqlite_file = tmp_path_factory.mktemp("seed") / "store.db"
    _seed(f"sqlite:///{sqlite_file}")
    templates["sqlite"] = str(sqlite_file)
    if PG_URL:  # configured means required: an unreachable server fails the run
        _recreate_pg(TEMPLATE_DB)
        _seed(_pg_url(TEMPLATE_DB))
        templates["postgresql"] = TEMPLATE_DB
    return templates


@pytest.fixture(params=BACKENDS)
def store_url(
    request: pytest.FixtureRequest, seeded_templates: dict[str, str], tmp_path: Path
) -> str:
    """The URL of a private copy of the seeded demo store."""
    if request.param == "sqlite":
        copy = tmp_path / "store.db"
        shutil.copy(seeded_templates["sqlite"], copy)
        return f"sqlite:///{copy}"
    _recreate_pg(TEST_DB, template=seeded_templates["postgresql"])
    return _pg_url(TEST_DB)


@pytest.fixture
def store(store_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[sessionmaker]:
    """Point the actions at the store copy; yields a session factory for checking results."""
    monkeypatch.setenv("SHOPDESK_DB_URL", store_url)
    # No recommendation service unless a test starts one: actions search the store itself.
    monkeypatch.setenv("SHOPDESK_RECOMMENDER_URL", "http://127.0.0.1:9")
    get_settings.cache_clear()
    session_factory.cache_clear()
    engine = make_engine(store_url)
    yield make_session_factory(engine)
    engine.dispose()
    session_factory().kw["bind"].dispose()
    session_factory.cache_clear()
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def shop(
    tmp_path_factory: pytest.TempPathFactory, seeded_templates: dict[str, str]
) -> Iterator[Shop]:
    """Recommender, actions, Rasa and the store site on a private seeded store; needs a model."""
    folder = tmp_path_factory.mktemp("shop")
    shutil.copy(seeded_templates["sqlite"], folder / "store.db")
    store_url = f"sqlite:///{folder / 'store.db'}"
    actions_port, rasa_port, web_port = free_port(), free_port(), free_port()
    recommender_port, console_port = free_port(), free_port()
    env = service_env(store_url, f"sqlite:///{folder / 'tracker.db'}", actions_port)
    env["SHOPDESK_CHAT_URL"] = env["SHOPDESK_RASA_URL"] = f"http://127.0.0.1:{rasa_port}"
    env["SHOPDESK_STORE_ORIGINS"] = f"http://127.0.0.1:{web_port}"
    env["SHOPDESK_RECOMMENDER_URL"] = f"http://127.0.0.1:{recommender_port}"
    env["SHOPDESK_RECOMMENDER_DIR"] = str(folder / "recommender")
    running = Shop(
        recommender=Service("recommender", env, folder / "recommender.log", recommender_port),
        actions=Service("actions", env, folder / "actions.log", port=actions_port),
        rasa=Service("serve", env, folder / "rasa.log", port=rasa_port),
        web=Service("web", env, folder / "web.log", port=web_port),
        console=Service("console", env, folder / "console.log", port=console_port),
        store_url=store_url,
        folder=folder,
    )
    try:
        running.recommender.start()
        running.actions.start()
        running.rasa.start()
        running.web.start()
        running.console.start()
        yield running
    finally:
        running.stop()


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A server that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()
