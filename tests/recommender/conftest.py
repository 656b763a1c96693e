"""The recommendation service as a real process on a private copy of the seeded store."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy.orm import sessionmaker

from bot.config import get_settings
from bot.rasa_env import rasa_environment
from bot.recommender.encoder import TextEncoder, load_encoder
from bot.service_process import Service
from bot.store.db import make_engine, make_session_factory, session_scope
from tests.recommender.shoppers import add_shopper


@dataclass
class RunningRecommender:
    url: str
    store: sessionmaker
    runner_id: int
    """A shopper who has only ever bought running gear."""

    def get(self, path: str, **params: Any) -> requests.Response:
        """GET `path` as the action server does: with the service token."""
        token = {"Authorization": f"Bearer {get_settings().service_token}"}
        return requests.get(f"{self.url}{path}", params=params, headers=token, timeout=30)

    def ok(self, path: str, **params: Any) -> dict[str, Any]:
        response = self.get(path, **params)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


def use_recommender(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    """Point the action server's settings at the recommendation service at `url`."""
    monkeypatch.setenv("SHOPDESK_RECOMMENDER_URL", url)
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def recommender(
    tmp_path_factory: pytest.TempPathFactory, seeded_templates: dict[str, str]
) -> Iterator[RunningRecommender]:
    folder: Path = tmp_path_factory.mktemp("recommender")
    shutil.copy(seeded_templates["sqlite"], folder / "store.db")
    store_url = f"sqlite:///{folder / 'store.db'}"
    engine = make_engine(store_url)
    store = make_session_factory(engine)
    with session_scope(store) as session:
        runner_id = add_shopper(session, email="runner@example.com", category="running")
    env = rasa_environment()
    env.update(
        {
            "SHOPDESK_DB_URL": store_url,
            "SHOPDESK_RECOMMENDER_DIR": str(folder / "vectors"),
            "SHOPDESK_RECOMMENDER_REFRESH_S": "1",
        }
    )
    service = Service("recommender", env, folder / "recommender.log")
    try:
        service.start()
        yield RunningRecommender(f"http://127.0.0.1:{service.port}", store, runner_id)
    finally:
        service.stop()
        engine.dispose()


@pytest.fixture(scope="session")
def encoder() -> TextEncoder:
    """The packaged sentence model, loaded once for the session."""
    return load_encoder()


@pytest.fixture
def store_copy(seeded_templates: dict[str, str], tmp_path: Path) -> Iterator[sessionmaker]:
    """Sessions on a private copy of the seeded store."""
    shutil.copy(seeded_templates["sqlite"], tmp_path / "store.db")
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    yield make_session_factory(engine)
    engine.dispose()
