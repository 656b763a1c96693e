"""The whole assistant over real HTTP: Rasa server + action server + seeded store + trained model.

Needs a trained model (`make train`); `make test` trains before it runs pytest.
"""

from __future__ import annotations

import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from actions.store_access import UNAVAILABLE_TEXT
from bot.auth import issue_shopper_token
from bot.config import DEV_JWT_SECRET
from bot.store.db import make_engine, make_session_factory
from bot.store.models import NluReview, OrderStatus
from tests.actions.store_picks import Picked, pick
from tests.server_process import Chat, Service, free_port, service_env

pytestmark = pytest.mark.slow


@dataclass
class Running:
    actions: Service
    rasa: Service
    store_url: str
    folder: Path

    def chat(self, metadata: dict | None = None) -> Chat:
        return Chat(self.rasa.port, f"test-{uuid.uuid4()}", metadata)

    def order(self, status: OrderStatus) -> Picked:
        engine = make_engine(self.store_url)
        try:
            return pick(make_session_factory(engine), status)
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def running(
    tmp_path_factory: pytest.TempPathFactory, seeded_templates: dict[str, str]
) -> Iterator[Running]:
    folder = tmp_path_factory.mktemp("server")
    shutil.copy(seeded_templates["sqlite"], folder / "store.db")
    store_url = f"sqlite:///{folder / 'store.db'}"
    actions_port = free_port()
    env = service_env(store_url, f"sqlite:///{folder / 'tracker.db'}", actions_port)
    actions = Service("actions", env, folder / "actions.log", port=actions_port).start()
    rasa = Service("serve", env, folder / "rasa.log").start()
    yield Running(actions, rasa, store_url, folder)
    rasa.stop()
    actions.stop()


def test_a_greeting_is_answered(running: Running):
    assert "Trailhead Outfitters assistant" in running.chat().reply("hello!")


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   ",
        "😡😡😡",
        "¿Dónde está mi pedido? Lo pedí hace dos semanas.",
        "Wo ist meine Bestellung?",
        "where is my order " * 555,
    ],
)
def test_odd_messages_get_a_polite_answer(running: Running, message: str):
    replies = running.chat().say(message)
    assert replies and all(r.get("text") for r in replies)


def test_a_guest_proves_the_order_and_gets_its_status(running: Running):
    order = running.order(OrderStatus.IN_TRANSIT)
    chat = running.chat()
    assert "order number" in chat.reply("where is my order?")
    assert "e-mail" in chat.reply(order.number)
    status = chat.reply(order.email)
    assert status.startswith(f"Order {order.number} (placed ")
    assert "is on its way" in status
    logs = running.actions.log.read_text() + running.rasa.log.read_text()
    assert order.email not in logs and "where is my order" not in logs


def test_a_wrong_email_reveals_nothing(running: Running):
    order = running.order(OrderStatus.SHIPPED)
    chat = running.chat()
    chat.reply("where is my package")
    chat.reply(order.number)
    answer = chat.reply("somebody.else@example.org")
    assert "couldn't find an order with that number and e-mail" in answer
    assert order.number not in answer.replace("6 digits", "")


def test_a_signed_in_shopper_is_not_asked_for_an_email(running: Running):
    order = running.order(OrderStatus.IN_TRANSIT)
    token = issue_shopper_token(order.customer_id, secret=DEV_JWT_SECRET)
    chat = running.chat({"shopper_token": token})
    reply = chat.reply(f"where is my order {order.number}?")
    assert reply.startswith(f"Order {order.number} (placed ")


def test_a_conversation_survives_a_server_restart(running: Running):
    order = running.order(OrderStatus.SHIPPED)
    chat = running.chat()
    chat.reply("has my order shipped?")
    assert "e-mail" in chat.reply(order.number)
    running.rasa.stop()
    running.rasa.start()
    assert chat.reply(order.email).startswith(f"Order {order.number} (placed ")


def test_messages_reach_the_review_queue_with_their_ranking(running: Running):
    chat = running.chat()
    chat.reply("I want to return these shoes")
    engine = make_engine(running.store_url)
    deadline = time.monotonic() + 10  # the broker writes off the event loop
    rows: list[NluReview] = []
    while not rows and time.monotonic() < deadline:
        with make_session_factory(engine)() as session:
            query = select(NluReview).where(NluReview.conversation_id == chat.sender)
            rows = list(session.execute(query).scalars())
        time.sleep(0.2)
    engine.dispose()
    assert [r.text for r in rows] == ["I want to return these shoes"]
    assert rows[0].predicted_intent == "return_item"
    assert rows[0].ranking[0]["name"] == "return_item"


def test_a_dead_store_database_gets_a_polite_answer(running: Running):
    dead = dict(running.actions.env, SHOPDESK_DB_URL="postgresql://postgres@127.0.0.1:1/none")
    running.actions.stop()
    broken = Service("actions", dead, running.folder / "dead.log", port=running.actions.port)
    broken.start()
    try:
        chat = running.chat()
        assert chat.reply("what is your return policy?") == UNAVAILABLE_TEXT
        assert "Trailhead Outfitters assistant" in chat.reply("hi")
    finally:
        broken.stop()
        running.actions.start()
