"""The whole shop running for real: store site, Rasa with the widget's channel, action server.

Needs a trained model (`make train`) and, for the browser tests, Debian's Chromium.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.server_process import Service, free_port, service_env


@dataclass
class Shop:
    actions: Service
    rasa: Service
    web: Service
    store_url: str
    folder: Path

    @property
    def site(self) -> str:
        return f"http://127.0.0.1:{self.web.port}"

    @property
    def chat(self) -> str:
        return f"http://127.0.0.1:{self.rasa.port}"

    def stop(self) -> None:
        for service in (self.web, self.rasa, self.actions):
            service.stop()


@pytest.fixture(scope="session")
def shop(
    tmp_path_factory: pytest.TempPathFactory, seeded_templates: dict[str, str]
) -> Iterator[Shop]:
    folder = tmp_path_factory.mktemp("shop")
    shutil.copy(seeded_templates["sqlite"], folder / "store.db")
    store_url = f"sqlite:///{folder / 'store.db'}"
    actions_port, rasa_port, web_port = free_port(), free_port(), free_port()
    env = service_env(store_url, f"sqlite:///{folder / 'tracker.db'}", actions_port)
    env["SHOPDESK_CHAT_URL"] = f"http://127.0.0.1:{rasa_port}"
    env["SHOPDESK_STORE_ORIGINS"] = f"http://127.0.0.1:{web_port}"
    running = Shop(
        actions=Service("actions", env, folder / "actions.log", port=actions_port),
        rasa=Service("serve", env, folder / "rasa.log", port=rasa_port),
        web=Service("web", env, folder / "web.log", port=web_port),
        store_url=store_url,
        folder=folder,
    )
    try:
        running.actions.start()
        running.rasa.start()
        running.web.start()
        yield running
    finally:
        running.stop()
