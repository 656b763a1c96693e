"""Rasa's event broker for the store: what conversations tell the store while they happen.

Rasa publishes every conversation event here (endpoints.yml `event_broker`). Two things are kept
in the store database, off the event loop:
- shopper messages the intent classifier was unsure about, for labelling (bot/nlu_review.py);
- every shopper message of a conversation that is waiting for or with a person, added to its
  ticket so the agent console sees it (the assistant is paused, but nothing is lost).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.handoff.tickets import add_line, open_ticket_of
from bot.handoff.transcript import line_of
from bot.nlu_review import record, uncertain_message
from bot.pii import install_log_masking
from bot.store.db import make_engine, make_session_factory, session_scope

logger = logging.getLogger(__name__)


def keep(session: Session, *, event: dict[str, Any], review_below: float, now: datetime) -> None:
    """What the store keeps of one conversation event."""
    row = uncertain_message(event, review_below)
    if row is not None:
        record(session, row=row, now=now)
    line = line_of(event) if event.get("event") == "user" else None
    if line is None:
        return
    ticket = open_ticket_of(session, conversation_id=str(event.get("sender_id", "")))
    if ticket is not None:
        add_line(session, ticket=ticket, line=line)


class StoreEventBroker(EventBroker):
    """Keeps uncertain messages for review and mirrors shoppers' messages into open tickets."""

    def __init__(self, url: str, review_below: float) -> None:
        self.review_below = review_below
        self.factory = make_session_factory(make_engine(url))
        self.pending: set[asyncio.Future] = set()

    @classmethod
    async def from_endpoint_config(
        cls, broker_config: EndpointConfig, event_loop: Any = None
    ) -> StoreEventBroker:
        """The broker Rasa starts with; the Rasa server's logs are masked from here on."""
        install_log_masking()
        settings = get_settings()
        return cls(settings.store_db_url, settings.review_below)

    def _store(self, event: dict[str, Any]) -> None:
        try:
            with session_scope(self.factory) as session:
                keep(session, event=event, review_below=self.review_below, now=datetime.utcnow())
        except SQLAlchemyError as exc:
            logger.warning("could not keep a conversation event (%s)", type(exc).__name__)

    def publish(self, event: dict[str, Any]) -> None:
        if event.get("event") != "user":
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._store(event)
            return
        future = loop.run_in_executor(None, self._store, event)
        self.pending.add(future)
        future.add_done_callback(self.pending.discard)

    def is_ready(self) -> bool:
        return True

    async def close(self) -> None:
        if self.pending:
            await asyncio.gather(*self.pending)
