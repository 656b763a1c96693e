"""The event broker adds what a shopper writes while waiting for a person to their ticket."""

from __future__ import annotations

import asyncio
from datetime import datetime

from sqlalchemy.orm import sessionmaker

from bot.handoff.agents import create_agent
from bot.handoff.tickets import Line, assign, close, lines_after, open_ticket
from bot.rasa_server.store_events import StoreEventBroker
from bot.store.models import HandoffTicket

NOW = datetime(2026, 11, 29, 9, 0)


def said(text: str, sender: str, message_id: str, negative: float = 0.1) -> dict:
    sentiment = {
        "label": "negative" if negative > 0.5 else "neutral",
        "scores": {"negative": negative},
    }
    return {
        "event": "user",
        "sender_id": sender,
        "timestamp": NOW.timestamp(),
        "text": text,
        "message_id": message_id,
        "parse_data": {
            "intent": {"name": "order_status", "confidence": 0.99},
            "sentiment": sentiment,
        },
    }


def test_messages_reach_only_an_open_ticket_and_once(store: sessionmaker, store_url: str):
    with store.begin() as session:
        ticket_id = open_ticket(
            session,
            conversation_id="waiting-1",
            reason="asked for a person",
            transcript=[Line("shopper", "a person please", NOW, None, "m-0")],
            frustration=[0.2],
            now=NOW,
        ).id
    broker = StoreEventBroker(store_url, review_below=0.0)

    async def publish() -> None:
        broker.publish(said("a person please", "waiting-1", "m-0"))  # already in the transcript
        broker.publish(said("hello?? anyone there??", "waiting-1", "m-1", negative=0.9))
        broker.publish(said("where is my order", "someone-else", "m-2"))
        broker.publish({"event": "bot", "sender_id": "waiting-1", "text": "hi", "timestamp": 0})
        await broker.close()

    asyncio.run(publish())
    with store.begin() as session:
        ticket = session.get(HandoffTicket, ticket_id)
        lines = lines_after(session, ticket=ticket)
        assert [(m.author, m.text) for m in lines] == [
            ("shopper", "a person please"),
            ("shopper", "hello?? anyone there??"),
        ]
        assert lines[1].sentiment["label"] == "negative"
        agent = create_agent(
            session, username="ana", display_name="Ana", password="x" * 12, now=NOW
        )
        assign(session, ticket=ticket, agent=agent, now=NOW)
        close(session, ticket=ticket, agent=agent, note="handed back", now=NOW)

    asyncio.run(_publish_after_close(broker))
    with store.begin() as session:
        ticket = session.get(HandoffTicket, ticket_id)
        assert "thanks, bye" not in [m.text for m in lines_after(session, ticket=ticket)]


async def _publish_after_close(broker: StoreEventBroker) -> None:
    broker.publish(said("thanks, bye", "waiting-1", "m-9"))
    await broker.close()
