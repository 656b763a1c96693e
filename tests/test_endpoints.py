"""endpoints.yml: conversations in SQL (SQLite or PostgreSQL), locks in memory or Redis."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.config import PROJECT_ROOT, get_settings
from bot.rasa_env import rasa_environment
from tests.conftest import PG_URL


def endpoints(monkeypatch: pytest.MonkeyPatch, **overrides: str) -> AvailableEndpoints:
    for key, value in {**rasa_environment(), **overrides}.items():
        monkeypatch.setenv(key, value)
    return AvailableEndpoints.read_endpoints(str(PROJECT_ROOT / "endpoints.yml"))


def test_rasa_calls_the_action_server_with_the_service_token(monkeypatch: pytest.MonkeyPatch):
    action = endpoints(monkeypatch).action
    assert action is not None
    assert action.headers == {"Authorization": f"Bearer {get_settings().service_token}"}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"] if PG_URL else ["sqlite"])
def test_conversations_survive_a_restart(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, backend: str
):
    url = PG_URL if backend == "postgresql" else f"sqlite:///{tmp_path / 'tracker.db'}"
    config = endpoints(monkeypatch, SHOPDESK_TRACKER_URL=url).tracker_store
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    store = TrackerStore.create(config, domain)
    assert isinstance(store, SQLTrackerStore)
    sender = f"restart-{uuid.uuid4()}"
    tracker = DialogueStateTracker.from_events(
        sender,
        [
            ActionExecuted("action_listen"),
            UserUttered("where is my order?", {"name": "order_status", "confidence": 1.0}),
        ],
    )
    asyncio.run(store.save(tracker))
    restored = asyncio.run(TrackerStore.create(config, domain).retrieve(sender))
    assert restored is not None
    assert restored.latest_message.text == "where is my order?"


def test_lock_store_is_in_memory_by_default_and_redis_by_one_setting(
    monkeypatch: pytest.MonkeyPatch,
):
    assert isinstance(LockStore.create(endpoints(monkeypatch).lock_store), InMemoryLockStore)
    redis_store = LockStore.create(endpoints(monkeypatch, SHOPDESK_LOCK_STORE="redis").lock_store)
    assert isinstance(redis_store, RedisLockStore)
    conversation = f"lock-{uuid.uuid4()}"
    redis_store.issue_ticket(conversation)
    assert redis_store.get_lock(conversation) is not None
    redis_store.delete_lock(conversation)
    assert redis_store.get_lock(conversation) is None
