"""Uncertain shopper messages are queued for review and exported as Rasa NLU YAML."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.nlu_review import export_yaml, uncertain_message
from bot.rasa_server.store_events import StoreEventBroker
from bot.store.models import NluReview


def user_event(text: str, intent: str, confidence: float, sender: str = "c-1") -> dict:
    ranking = [
        {"name": intent, "confidence": confidence},
        {"name": "out_of_scope", "confidence": 1 - confidence},
    ]
    return {
        "event": "user",
        "sender_id": sender,
        "text": text,
        "parse_data": {
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": ranking,
        },
    }


def test_only_uncertain_shopper_text_is_queued():
    assert uncertain_message(user_event("where is my stuff", "order_status", 0.99), 0.75) is None
    assert uncertain_message(user_event("/affirm", "affirm", 0.1), 0.75) is None
    assert uncertain_message(user_event("   ", "greet", 0.1), 0.75) is None
    assert uncertain_message({"event": "bot", "text": "hi"}, 0.75) is None
    row = uncertain_message(
        user_event("can u do the thing w my parcel", "order_status", 0.41), 0.75
    )
    assert row == {
        "conversation_id": "c-1",
        "text": "can u do the thing w my parcel",
        "predicted_intent": "order_status",
        "confidence": 0.41,
        "ranking": [
            {"name": "order_status", "confidence": 0.41},
            {"name": "out_of_scope", "confidence": 0.59},
        ],
    }


def test_the_broker_queues_and_export_writes_valid_nlu_yaml(
    store: sessionmaker, store_url: str, tmp_path: Path
):
    broker = StoreEventBroker(store_url, review_below=0.75)

    async def publish_all() -> None:
        broker.publish(user_event("where's my stuff at", "order_status", 0.52, "conv-a"))
        broker.publish(user_event("hello", "greet", 0.97, "conv-a"))
        broker.publish(user_event("blorp zzz", "out_of_scope", 0.30, "conv-b"))
        await broker.close()

    asyncio.run(publish_all())
    with store() as session:
        rows = list(session.execute(select(NluReview).order_by(NluReview.id)).scalars())
    assert {(r.conversation_id, r.text, r.predicted_intent) for r in rows} == {
        ("conv-a", "where's my stuff at", "order_status"),
        ("conv-b", "blorp zzz", "out_of_scope"),
    }
    with store.begin() as session:
        text, count = export_yaml(session, include_exported=False, now=datetime.utcnow())
    assert count == 2
    path = tmp_path / "review.yml"
    path.write_text(text)
    data = RasaYAMLReader().read(str(path))
    assert {m.get("intent"): m.get("text") for m in data.intent_examples} == {
        "order_status": "where's my stuff at",
        "out_of_scope": "blorp zzz",
    }
    with store.begin() as session:
        assert export_yaml(session, include_exported=False, now=datetime.utcnow())[1] == 0
        assert export_yaml(session, include_exported=True, now=datetime.utcnow())[1] == 2


def test_personal_data_is_masked_before_it_is_queued_and_in_the_export(
    store: sessionmaker, store_url: str, tmp_path: Path
):
    broker = StoreEventBroker(store_url, review_below=0.75)
    said = "im maria.lopez@example.com, order 100042 never came, call +49 30 1234567"
    broker.publish(user_event(said, "order_status", 0.4, "conv-p"))
    with store.begin() as session:
        session.add(  # queued before masking existed
            NluReview(
                conversation_id="conv-old",
                text="card 4111 1111 1111 1111 for order 100043",
                predicted_intent="payment_problem",
                confidence=0.3,
                ranking=[],
                created_at=datetime.utcnow(),
            )
        )
    with store() as session:
        stored = session.execute(
            select(NluReview.text).where(NluReview.conversation_id == "conv-p")
        ).scalar_one()
    assert stored == "im [email], order [order_number] never came, call [phone]"
    with store.begin() as session:
        text, count = export_yaml(session, include_exported=False, now=datetime.utcnow())
    assert count == 2
    for secret in ("maria.lopez", "@example.com", "100042", "100043", "1234567", "4111"):
        assert secret not in text
    path = tmp_path / "review.yml"
    path.write_text(text)
    examples = {m.get("text") for m in RasaYAMLReader().read(str(path)).intent_examples}
    assert examples == {stored, "card [card] for order [order_number]"}
