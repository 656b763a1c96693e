"""Learning from real conversations: uncertain messages are queued for labelling, then exported.

Rasa publishes every conversation event to `ReviewQueueBroker` (endpoints.yml `event_broker`);
shopper messages whose intent confidence is below `SHOPDESK_REVIEW_BELOW` land in the store's
`nlu_review` table, and `python -m bot review export FILE` writes them as Rasa NLU YAML.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.store.db import make_engine, make_session_factory, session_scope
from bot.store.models import NluReview

logger = logging.getLogger(__name__)


def uncertain_message(event: dict[str, Any], threshold: float) -> dict[str, Any] | None:
    """The review row for a user event below the threshold, or None."""
    if event.get("event") != "user" or not (event.get("text") or "").strip():
        return None
    if (event.get("text") or "").startswith("/"):  # button payloads are not language
        return None
    parse = event.get("parse_data") or {}
    intent = parse.get("intent") or {}
    confidence = float(intent.get("confidence") or 0.0)
    if confidence >= threshold:
        return None
    ranking = [
        {"name": r.get("name"), "confidence": round(float(r.get("confidence", 0)), 5)}
        for r in (parse.get("intent_ranking") or [])[:5]
    ]
    return {
        "conversation_id": str(event.get("sender_id", "")),
        "text": event["text"][:2000],
        "predicted_intent": intent.get("name"),
        "confidence": round(confidence, 5),
        "ranking": ranking,
    }


def record(session: Session, *, row: dict[str, Any], now: datetime) -> NluReview:
    review = NluReview(**row, created_at=now)
    session.add(review)
    session.flush()
    return review


def export_yaml(session: Session, *, include_exported: bool, now: datetime) -> tuple[str, int]:
    """Rasa NLU YAML of the queued messages, one block each under its predicted intent."""
    stmt = select(NluReview).order_by(NluReview.predicted_intent, NluReview.id)
    if not include_exported:
        stmt = stmt.where(NluReview.exported_at.is_(None))
    rows = list(session.execute(stmt).scalars())
    lines = [
        'version: "3.1"',
        "# Uncertain shopper messages under the intent the model guessed.",
        "# Correct each intent, then move the examples into data/nlu/.",
        "nlu:",
    ]
    for row in rows:
        ranking = ", ".join(f"{r['name']} {r['confidence']:.2f}" for r in row.ranking)
        lines += [
            f"# conversation {row.conversation_id}; ranking: {ranking or 'none'}",
            f"- intent: {row.predicted_intent or 'nlu_fallback'}",
            "  examples: |",
            f"    - {' '.join(row.text.split())}",
        ]
        row.exported_at = now
    return "\n".join(lines) + "\n", len(rows)


class ReviewQueueBroker(EventBroker):
    """An event broker that keeps the messages the classifier was unsure about."""

    def __init__(self, url: str, threshold: float) -> None:
        self.threshold = threshold
        self.factory = make_session_factory(make_engine(url))
        self.pending: set[asyncio.Future] = set()

    @classmethod
    async def from_endpoint_config(
        cls, broker_config: EndpointConfig, event_loop: Any = None
    ) -> ReviewQueueBroker:
        settings = get_settings()
        return cls(settings.store_db_url, settings.review_below)

    def _store(self, row: dict[str, Any]) -> None:
        try:
            with session_scope(self.factory) as session:
                record(session, row=row, now=datetime.utcnow())
        except SQLAlchemyError as exc:
            logger.warning("could not queue a message for NLU review (%s)", type(exc).__name__)

    def publish(self, event: dict[str, Any]) -> None:
        row = uncertain_message(event, self.threshold)
        if row is None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._store(row)
            return
        future = loop.run_in_executor(None, self._store, row)
        self.pending.add(future)
        future.add_done_callback(self.pending.discard)

    def is_ready(self) -> bool:
        return True

    async def close(self) -> None:
        if self.pending:
            await asyncio.gather(*self.pending)
