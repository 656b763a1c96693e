"""A shopper's data is exported whole and erased without a trace, and nobody else's is touched."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import JSON, MetaData, String, Text, cast, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from bot.cli import main
from bot.config import get_settings
from bot.handoff.tickets import Line, open_ticket
from bot.nlu_review import record
from bot.shopper_data import erase, export_document
from bot.store.cases import open_case
from bot.store.customers import customer_by_email
from bot.store.db import make_engine
from bot.store.models import CaseKind, Customer, Order

MARIA = "maria.lopez@example.com"
NOW = datetime(2024, 5, 10, 12, 0)


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    name: str
    phone: str
    street: str
    orders: list[str]


def person(customer: Customer) -> Person:
    return Person(
        customer.id,
        customer.email,
        f"{customer.first_name} {customer.last_name}",
        customer.phone,
        customer.addresses[0].line1,
        [order.number for order in customer.orders],
    )


def user(text: str, customer_id: int | None = None) -> UserUttered:
    metadata = {"customer_id": customer_id} if customer_id is not None else {}
    return UserUttered(text, {"name": "order_status", "confidence": 0.4}, metadata=metadata)


def save_conversation(tracker_store: SQLTrackerStore, sender: str, *events: Any) -> None:
    said = [ActionExecuted("action_listen"), *events, BotUttered("Let me look.")]
    asyncio.run(tracker_store.save(DialogueStateTracker.from_events(sender, said)))


@dataclass(frozen=True)
class World:
    maria: Person
    other: Person
    tracker: Engine
    tracker_url: str


@pytest.fixture
def world(store: sessionmaker, tmp_path: Path) -> Iterator[World]:
    """Maria and customer 10x her id, each with conversations, a case, a ticket and reviews.

    Maria also wrote signed in without a ticket (found through her verified id) and as a guest
    about one of her orders (found through the case); an anonymous conversation is nobody's.
    """
    tracker_store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    with store.begin() as session:
        maria = person(customer_by_email(session, email=MARIA))
        other = person(session.get(Customer, maria.id * 10))  # "customer_id": 1 vs 10
        order = session.execute(select(Order).where(Order.number == maria.orders[0])).scalar()
        for who, conversation in ((maria, "conv-maria"), (other, "conv-other")):
            said = f"I'm {who.name}, {who.email}, phone {who.phone}, {who.street}"
            save_conversation(tracker_store, conversation, user(said, who.id))
            open_ticket(
                session,
                conversation_id=conversation,
                reason="asked for a person",
                transcript=[Line("shopper", said, NOW)],
                frustration=[0.2],
                now=NOW,
                customer_id=who.id,
            )
            record(
                session,
                row={
                    "conversation_id": conversation,
                    "text": "where is [order_number]",
                    "predicted_intent": "order_status",
                    "confidence": 0.4,
                    "ranking": [],
                },
                now=NOW,
            )
        guest_said = f"{maria.name} here, my parcel {order.number} is late, call {maria.phone}"
        save_conversation(tracker_store, "conv-guest", user(guest_said))
        case = open_case(
            session,
            kind=CaseKind.COMPLAINT,
            conversation_id="conv-guest",
            summary=guest_said,
            now=NOW,
            order_id=order.id,
            transcript=f"shopper: {guest_said}",
        )
        case.reply_email = maria.email
        open_case(
            session,
            kind=CaseKind.FEEDBACK,
            conversation_id="conv-other",
            summary=f"{other.name} liked it",
            now=NOW,
            customer_id=other.id,
        )
        save_conversation(tracker_store, "conv-anon", user("do you ship to Vienna?"))
        save_conversation(tracker_store, "conv-maria-2", user(f"{maria.phone} is mine", maria.id))
    tracker_url = f"sqlite:///{tmp_path / 't.db'}"
    tracker = make_engine(tracker_url)
    yield World(maria, other, tracker, tracker_url)
    tracker.dispose()
    tracker_store.engine.dispose()


def export(store: sessionmaker, world: World, email: str) -> dict[str, Any] | None:
    with store() as session:
        document = export_document(session, world.tracker, email=email)
    if document is not None:
        document.pop("exported_at")
        document = json.loads(json.dumps(document, default=str))
    return document


def texts_containing(engine: Engine, needle: str) -> list[str]:
    """`table.column` of every text column of every table that holds the needle."""
    tables = MetaData()
    tables.reflect(engine)
    found = []
    with engine.connect() as conn:
        for table in tables.sorted_tables:
            for column in table.columns:
                if not isinstance(column.type, (String, JSON)):
                    continue
                holds = func.lower(cast(column, Text)).contains(needle.lower(), autoescape=True)
                if conn.execute(select(func.count()).where(holds)).scalar():
                    found.append(f"{table.name}.{column.name}")
    return found


def test_export_holds_the_shoppers_data_and_nothing_of_anyone_else(
    store: sessionmaker, world: World
):
    maria = world.maria
    document = export(store, world, maria.email)
    assert document is not None
    assert document["customer"]["email"] == maria.email
    assert [a["line1"] for a in document["addresses"]] == [maria.street]
    assert [o["number"] for o in document["orders"]] == maria.orders
    assert all(o["lines"] and o["payments"] for o in document["orders"])
    conversations = {c["conversation_id"]: c["events"] for c in document["conversations"]}
    assert set(conversations) == {"conv-maria", "conv-maria-2", "conv-guest"}
    said = [e["text"] for e in conversations["conv-guest"] if e["event"] == "user"]
    assert said and maria.phone in said[0]
    assert [c["conversation_id"] for c in document["support_cases"]] == ["conv-guest"]
    assert [t["conversation_id"] for t in document["handoff_tickets"]] == ["conv-maria"]
    assert maria.name in document["handoff_tickets"][0]["messages"][0]["text"]
    assert [r["conversation_id"] for r in document["nlu_review"]] == ["conv-maria"]
    text = json.dumps(document)
    other = world.other
    for theirs in (other.email, other.name, other.phone, "conv-other", "conv-anon"):
        assert theirs not in text
    assert not any(f'"{number}"' in text for number in other.orders)
    assert export(store, world, "nobody@example.com") is None


def test_erase_leaves_no_trace_and_spares_everyone_else(store: sessionmaker, world: World):
    maria, other = world.maria, world.other
    others_before = export(store, world, other.email)
    store_engine = store.kw["bind"]
    assert "customers.email" in texts_containing(store_engine, maria.email)
    assert texts_containing(world.tracker, maria.phone) == ["events.data"]
    with store.begin() as session:
        erased = erase(session, world.tracker, email=maria.email)
    assert erased is not None
    assert (erased.conversations, erased.tickets, erased.cases, erased.reviews) == (3, 1, 1, 1)
    for needle in (maria.email, maria.name, maria.phone):
        assert texts_containing(store_engine, needle) == []
        assert texts_containing(world.tracker, needle) == []
    with store() as session:
        customer = session.get(Customer, maria.id)
        assert (customer.first_name, customer.last_name, customer.phone) == (
            "[erased]",
            "[erased]",
            None,
        )
        assert customer.addresses == []
        kept = [(o.number, o.ship_line1, o.ship_city) for o in customer.orders]
        assert kept == [(number, "[erased]", "[erased]") for number in maria.orders]
        assert all(p.card_last4 is None for o in customer.orders for p in o.payments)
    assert export(store, world, maria.email) is None
    assert export(store, world, other.email) == others_before
    with world.tracker.connect() as conn:
        senders = set(conn.execute(text("SELECT DISTINCT sender_id FROM events")).scalars())
    assert senders == {"conv-other", "conv-anon"}
    with store.begin() as session:  # a second erasure finds nothing and changes nothing
        assert erase(session, world.tracker, email=maria.email) is None
    assert export(store, world, other.email) == others_before


def run(*argv: str) -> int:
    with pytest.raises(SystemExit) as exited:
        main(list(argv))
    return int(exited.value.code or 0)


@pytest.fixture
def cli_env(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The command line on the test's tracker store; its log masking undone afterwards."""
    monkeypatch.setenv("SHOPDESK_TRACKER_URL", world.tracker_url)
    get_settings.cache_clear()
    factory = logging.getLogRecordFactory()
    yield
    logging.setLogRecordFactory(factory)
    get_settings.cache_clear()


def test_the_command_line_exports_then_erases(
    world: World, cli_env: None, capsys: pytest.CaptureFixture
):
    assert run("shopper", "export", MARIA) == 0
    document = json.loads(capsys.readouterr().out)
    assert [o["number"] for o in document["orders"]] == world.maria.orders
    assert run("shopper", "erase", MARIA) == 0
    assert "erased: 3 conversation(s)" in capsys.readouterr().out
    assert run("shopper", "export", MARIA) == 1
    assert f"nothing is kept about {MARIA}" in capsys.readouterr().err
    assert run("shopper", "erase", MARIA) == 0
    assert "nothing to erase" in capsys.readouterr().out
