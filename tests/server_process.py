"""Start the real action server and Rasa server as subprocesses for end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import requests

from bot.cli import service_command
from bot.config import PROJECT_ROOT
from bot.handoff.agents import create_agent
from bot.rasa_env import rasa_environment
from bot.store.db import make_engine, make_session_factory, session_scope
from bot.store.models import OrderStatus
from tests.actions.store_picks import Picked, pick

AGENT_PASSWORD = "a long enough password"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen, timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[:3]} exited with {process.returncode}")
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not come up in {timeout_s} s")


@dataclass
class Service:
    """One of our services running as a real process; stopped on `stop()`."""

    name: str
    env: dict[str, str]
    log: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    def start(self) -> Service:
        command = service_command(self.name, self.port, self.env)
        handle = self.log.open("ab")
        self.process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=self.env, stdout=handle, stderr=subprocess.STDOUT
        )
        health = "/" if self.name == "serve" else "/health"
        wait_until_up(f"http://127.0.0.1:{self.port}{health}", self.process)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


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
    store_url: str
    folder: Path

    @property
    def site(self) -> str:
        return f"http://127.0.0.1:{self.web.port}"

    @property
    def chat_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa.port}"

    def chat(self, metadata: dict | None = None) -> Chat:
        """A new REST conversation with the assistant."""
        return Chat(self.rasa.port, f"test-{uuid.uuid4()}", metadata)

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
        for service in (self.web, self.rasa, self.actions, self.recommender):
            service.stop()


class Chat:
    """A shopper talking to the Rasa server over its REST channel."""

    def __init__(self, rasa_port: int, sender: str, metadata: dict | None = None) -> None:
        self.url = f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook"
        self.sender = sender
        self.metadata = metadata or {}

    def say(self, text: str) -> list[dict]:
        body = {"sender": self.sender, "message": text, "metadata": self.metadata}
        response = requests.post(self.url, json=body, timeout=60)
        response.raise_for_status()
        return response.json()

    def reply(self, text: str) -> str:
        return "\n".join(m.get("text", "") for m in self.say(text))
