"""The whole shop running as real processes for end-to-end tests, and shoppers talking to it."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import requests

from bot.handoff.agents import create_agent
from bot.rasa_env import rasa_environment
from bot.service_process import Service
from bot.store.db import make_engine, make_session_factory, session_scope
from bot.store.models import OrderStatus
from tests.actions.store_picks import Picked, pick

AGENT_PASSWORD = "a long enough password"


def service_env(store_url: str, tracker_url: str, actions_port: int) -> dict[str, str]:
    env = rasa_environment()
    env.update(
        {
            "SHOPDESK_DB_URL": store_url,
            "SHOPDESK_TRACKER_URL": tracker_url,
            "SHOPDESK_ACTION_URL": f"http://127.0.0.1:{actions_port}/webhook",
            "SHOPDESK_DB_TIMEOUT": "2",
            "SHOPDESK_REVIEW_BELOW": "1.01",  # queue every message, to see the review wiring work
            "SHOPDESK_MODEL_DIR": os.environ.get("SHOPDESK_MODEL_DIR", "models"),
            # The tests reach every service from loopback, as a load balancer would: each test
            # shopper names its own address in X-Forwarded-For, so limits per client apply to it.
            "SHOPDESK_TRUSTED_PROXIES": "127.0.0.1",
        }
    )
    return env


@dataclass
class Shop:
    """The whole shop running for real: recommendations, actions, Rasa with its channels, site."""

    recommender: Service
    actions: Service
    rasa: Service
    web: Service
    console: Service
    store_url: str
    folder: Path

    @property
    def site(self) -> str:
        return f"http://127.0.0.1:{self.web.port}"

    @property
    def desk(self) -> str:
        """The agent console's address."""
        return f"http://127.0.0.1:{self.console.port}"

    @property
    def chat_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa.port}"

    def chat(self, metadata: dict | None = None, address: str = "") -> Chat:
        """A new REST conversation with the assistant."""
        return Chat(self.rasa.port, f"test-{uuid.uuid4()}", metadata, address)

    def order(self, status: OrderStatus) -> Picked:
        engine = make_engine(self.store_url)
        try:
            return pick(make_session_factory(engine), status)
        finally:
            engine.dispose()

    def new_agent(self, display_name: str = "Ana") -> str:
        """A fresh agent account (password AGENT_PASSWORD); returns its username."""
        username = f"agent-{uuid.uuid4().hex[:8]}"
        engine = make_engine(self.store_url)
        try:
            with session_scope(make_session_factory(engine)) as session:
                create_agent(
                    session,
                    username=username,
                    display_name=display_name,
                    password=AGENT_PASSWORD,
                    now=datetime.utcnow(),
                )
        finally:
            engine.dispose()
        return username

    def stop(self) -> None:
        for service in (self.web, self.console, self.rasa, self.actions, self.recommender):
            service.stop()


def shopper_address() -> str:
    """A made-up loopback address standing for one shopper's device behind the load balancer."""
    return "127.{}.{}.{}".format(*uuid.uuid4().bytes[:3])


class Chat:
    """A shopper talking to the Rasa server over its REST channel, from an address of its own."""

    def __init__(
        self, rasa_port: int, sender: str, metadata: dict | None = None, address: str = ""
    ) -> None:
        self.url = f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook"
        self.sender = sender
        self.metadata = metadata or {}
        self.address = address or shopper_address()

    def post(self, text: str) -> requests.Response:
        body = {"sender": self.sender, "message": text, "metadata": self.metadata}
        headers = {"X-Forwarded-For": self.address}
        return requests.post(self.url, json=body, headers=headers, timeout=60)

    def say(self, text: str) -> list[dict]:
        response = self.post(text)
        response.raise_for_status()
        return response.json()

    def reply(self, text: str) -> str:
        return "\n".join(m.get("text", "") for m in self.say(text))
