"""A shopper's personal data: everything kept about them, exported or erased on request.

What belongs to a shopper, found by their e-mail: their customer row, addresses and orders; the
support cases of their account, orders or reply address; the handoff tickets of their account;
their conversations (Rasa's tracker store: every conversation one of their verified messages
was written in, and the conversation of each of their cases and tickets), and the tickets,
cases and review-queue rows of those conversations.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, String, Text, column, delete, func, inspect, or_, select, table
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.store.customers import customer_by_email
from bot.store.models import (
    Customer,
    HandoffTicket,
    NluReview,
    Order,
    SupportCase,
    TicketMessage,
)

ERASED = "[erased]"

EVENTS = table(
    "events",
    column("id", Integer),
    column("sender_id", String),
    column("type_name", String),
    column("data", Text),
)
"""The table of Rasa 3.6's SQLTrackerStore (rasa/core/tracker_store.py), one row per event."""


def owned_conversations(tracker: Engine, *, customer_id: int) -> set[str]:
    """Conversations with a user event whose metadata names the customer as verified."""
    if not inspect(tracker).has_table("events"):
        return set()
    stmt = select(EVENTS.c.sender_id, EVENTS.c.data).where(
        EVENTS.c.type_name == "user",
        EVENTS.c.data.contains(f'"customer_id": {customer_id}', autoescape=True),
    )
    with tracker.connect() as conn:
        rows = conn.execute(stmt).all()
    return {
        sender
        for sender, data in rows
        if (json.loads(data).get("metadata") or {}).get("customer_id") == customer_id
    }


def conversation_events(
    tracker: Engine, *, conversation_ids: Collection[str]
) -> dict[str, list[dict[str, Any]]]:
    """Every stored event of the conversations, oldest first, by conversation."""
    found: dict[str, list[dict[str, Any]]] = {}
    if not conversation_ids or not inspect(tracker).has_table("events"):
        return found
    stmt = (
        select(EVENTS.c.sender_id, EVENTS.c.data)
        .where(EVENTS.c.sender_id.in_(sorted(conversation_ids)))
        .order_by(EVENTS.c.id)
    )
    with tracker.connect() as conn:
        for sender, data in conn.execute(stmt):
            found.setdefault(sender, []).append(json.loads(data))
    return found


def delete_conversations(tracker: Engine, *, conversation_ids: Collection[str]) -> int:
    """Delete the conversations' events from the tracker store; how many events went."""
    if not conversation_ids or not inspect(tracker).has_table("events"):
        return 0
    with tracker.begin() as conn:
        result = conn.execute(
            delete(EVENTS).where(EVENTS.c.sender_id.in_(sorted(conversation_ids)))
        )
    return int(result.rowcount)


@dataclass(frozen=True)
class ShopperRecords:
    """What the store and the tracker store keep about one shopper."""

    customer: Customer | None
    cases: list[SupportCase]
    tickets: list[HandoffTicket]
    conversation_ids: list[str]

    @property
    def empty(self) -> bool:
        """Whether nothing at all is kept about the shopper."""
        return self.customer is None and not self.cases and not self.conversation_ids


def find_records(session: Session, tracker: Engine, *, email: str) -> ShopperRecords:
    """Everything kept about the shopper with this e-mail: an account, or a case's reply address."""
    customer = customer_by_email(session, email=email)
    own_cases: list[ColumnElement[bool]] = [
        func.lower(SupportCase.reply_email) == email.strip().lower()
    ]
    own_tickets: list[ColumnElement[bool]] = []
    conversations: set[str] = set()
    if customer is not None:
        own_cases += [
            SupportCase.customer_id == customer.id,
            SupportCase.order_id.in_(select(Order.id).where(Order.customer_id == customer.id)),
        ]
        own_tickets.append(HandoffTicket.customer_id == customer.id)
        conversations = owned_conversations(tracker, customer_id=customer.id)
        conversations |= set(
            session.execute(select(HandoffTicket.conversation_id).where(*own_tickets)).scalars()
        )
    conversations |= set(
        session.execute(select(SupportCase.conversation_id).where(or_(*own_cases))).scalars()
    )
    cases = session.execute(
        select(SupportCase)
        .where(or_(*own_cases, SupportCase.conversation_id.in_(conversations)))
        .order_by(SupportCase.id)
    ).scalars()
    tickets = session.execute(
        select(HandoffTicket)
        .where(or_(*own_tickets, HandoffTicket.conversation_id.in_(conversations)))
        .order_by(HandoffTicket.id)
    ).scalars()
    return ShopperRecords(customer, list(cases), list(tickets), sorted(conversations))


def _columns(row: Any) -> dict[str, Any]:
    """A row's column values by attribute name."""
    return {attr.key: getattr(row, attr.key) for attr in inspect(row).mapper.column_attrs}


def _order_document(order: Order) -> dict[str, Any]:
    """An order with its lines, payments, shipments, returns and refunds."""
    return {
        **_columns(order),
        "lines": [{**_columns(line), "product": line.product.title} for line in order.lines],
        "payments": [_columns(payment) for payment in order.payments],
        "shipments": [
            {**_columns(s), "events": [_columns(e) for e in s.events]} for s in order.shipments
        ],
        "returns": [
            {**_columns(r), "lines": [_columns(line) for line in r.lines]} for r in order.returns
        ],
        "refunds": [_columns(refund) for refund in order.refunds],
    }


def _json_value(value: Any) -> str:
    """Dates and amounts as JSON strings: ISO 8601 and exact decimals."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def export_document(session: Session, tracker: Engine, *, email: str) -> dict[str, Any] | None:
    """Everything kept about the shopper, as one JSON-ready document; None if nothing is."""
    records = find_records(session, tracker, email=email)
    if records.empty:
        return None
    customer = records.customer
    conversations = conversation_events(tracker, conversation_ids=records.conversation_ids)
    reviews = session.execute(
        select(NluReview)
        .where(NluReview.conversation_id.in_(records.conversation_ids))
        .order_by(NluReview.id)
    ).scalars()
    return {
        "email": email,
        "exported_at": datetime.utcnow(),
        "customer": _columns(customer) if customer else None,
        "addresses": [_columns(a) for a in customer.addresses] if customer else [],
        "orders": [_order_document(o) for o in customer.orders] if customer else [],
        "support_cases": [_columns(case) for case in records.cases],
        "handoff_tickets": [
            {**_columns(t), "messages": [_columns(m) for m in t.messages]} for t in records.tickets
        ],
        "nlu_review": [_columns(review) for review in reviews],
        "conversations": [
            {"conversation_id": cid, "events": conversations.get(cid, [])}
            for cid in records.conversation_ids
        ],
    }


def export_json(session: Session, tracker: Engine, *, email: str) -> str | None:
    """The shopper's data as indented JSON; None if nothing is kept about them."""
    document = export_document(session, tracker, email=email)
    return None if document is None else json.dumps(document, indent=2, default=_json_value)


@dataclass(frozen=True)
class Erasure:
    """What an erasure changed."""

    orders: int
    cases: int
    tickets: int
    reviews: int
    conversations: int
    tracker_events: int


def _anonymise_customer(session: Session, customer: Customer) -> None:
    """Placeholders for the customer's identity and delivery details; orders stay for accounts."""
    customer.email = f"erased-{customer.id}@erased.invalid"
    customer.first_name = customer.last_name = ERASED
    customer.phone = None
    customer.newsletter = False
    for address in list(customer.addresses):
        session.delete(address)
    for order in customer.orders:
        order.ship_name = order.ship_line1 = order.ship_city = order.ship_postcode = ERASED
        order.ship_line2 = None
        for payment in order.payments:
            payment.card_last4 = None
        for shipment in order.shipments:
            shipment.tracking_number = ERASED
        for request in order.returns:
            request.reason = ERASED


def erase(session: Session, tracker: Engine, *, email: str) -> Erasure | None:
    """Erase the shopper's personal data; None if nothing is kept about them.

    The tracker store goes first and the store's changes are committed by the caller after, so
    an erasure that fails half-way can be run again: until the store commits, the e-mail still
    finds everything.
    """
    records = find_records(session, tracker, email=email)
    if records.empty:
        return None
    tracker_events = delete_conversations(tracker, conversation_ids=records.conversation_ids)
    for case in records.cases:
        case.summary = ERASED
        case.transcript = case.reply_email = None
    ticket_ids = [ticket.id for ticket in records.tickets]
    session.execute(delete(TicketMessage).where(TicketMessage.ticket_id.in_(ticket_ids)))
    reviews = session.execute(
        delete(NluReview).where(NluReview.conversation_id.in_(records.conversation_ids))
    )
    if records.customer is not None:
        _anonymise_customer(session, records.customer)
    session.flush()
    return Erasure(
        orders=len(records.customer.orders) if records.customer else 0,
        cases=len(records.cases),
        tickets=len(ticket_ids),
        reviews=int(reviews.rowcount),
        conversations=len(records.conversation_ids),
        tracker_events=tracker_events,
    )
