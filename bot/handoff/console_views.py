"""What the agent console shows, as JSON: the queue; a conversation with the shopper's orders."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.handoff.tickets import lines_after, peak_frustration, tickets_of, waiting_queue
from bot.store.customers import get_customer
from bot.store.models import Agent, HandoffTicket, TicketMessage
from bot.store.orders import orders_of_customer


def _iso(at: datetime | None) -> str | None:
    return at.isoformat(timespec="seconds") + "Z" if at else None


def _shopper(session: Session, ticket: HandoffTicket) -> str:
    customer = get_customer(session, customer_id=ticket.customer_id) if ticket.customer_id else None
    return f"{customer.first_name} {customer.last_name}" if customer else "Guest (not signed in)"


def ticket_summary(session: Session, ticket: HandoffTicket, now: datetime) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "conversation_id": ticket.conversation_id,
        "state": ticket.state.value,
        "reason": ticket.reason,
        "shopper": _shopper(session, ticket),
        "frustration": peak_frustration(ticket),
        "waiting_s": int((now - ticket.created_at).total_seconds()),
        "created_at": _iso(ticket.created_at),
        "agent": ticket.agent.display_name if ticket.agent else None,
    }


def queue_view(session: Session, *, agent_id: int, now: datetime) -> dict[str, Any]:
    """Waiting conversations, the most frustrated and longest waiting first, and the agent's own."""
    agent = session.get(Agent, agent_id)
    mine = tickets_of(session, agent=agent) if agent else []
    return {
        "agent": agent.display_name if agent else None,
        "on_duty": bool(agent and agent.on_duty),
        "waiting": [ticket_summary(session, t, now) for t in waiting_queue(session)],
        "mine": [ticket_summary(session, t, now) for t in mine],
    }


def line_view(line: TicketMessage) -> dict[str, Any]:
    sentiment = line.sentiment or {}
    return {
        "id": line.id,
        "author": line.author,
        "text": line.text,
        "at": _iso(line.created_at),
        "sentiment": sentiment.get("label"),
        "sentiment_confidence": sentiment.get("confidence"),
    }


def orders_view(session: Session, customer_id: int | None) -> list[dict[str, Any]]:
    """The signed-in shopper's recent orders; a guest's are not known until they prove one."""
    if customer_id is None:
        return []
    return [
        {
            "number": order.number,
            "status": order.status.value,
            "placed": _iso(order.created_at),
            "total": f"{order.total:.2f}",
            "items": [f"{line.quantity} × {line.product.title}" for line in order.lines],
        }
        for order in orders_of_customer(session, customer_id=customer_id, limit=5)
    ]


def ticket_view(session: Session, *, ticket_id: int, after: int = 0) -> dict[str, Any] | None:
    """A ticket with its lines after `after` (all of them for 0) and the shopper's orders."""
    ticket = session.get(HandoffTicket, ticket_id)
    if ticket is None:
        return None
    return {
        "ticket": {
            **ticket_summary(session, ticket, datetime.utcnow()),
            "trajectory": ticket.frustration,
        },
        "lines": [line_view(line) for line in lines_after(session, ticket=ticket, after=after)],
        "orders": orders_view(session, ticket.customer_id),
    }
