"""Tickets: a conversation waiting for a person, assigned to one, and closed; its transcript."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.store.models import Agent, AgentSession, HandoffTicket, TicketMessage, TicketState

AUTHORS = frozenset({"shopper", "assistant", "agent", "system"})
MAX_TEXT = 20_000


class TicketError(ValueError):
    """A ticket cannot make the change asked of it in its current state."""


@dataclass(frozen=True)
class Line:
    """One line of a conversation as the ticket keeps it."""

    author: str
    text: str
    at: datetime
    sentiment: dict[str, Any] | None = None
    message_id: str | None = None
    """Rasa's id of a shopper message."""


def open_ticket_of(session: Session, *, conversation_id: str) -> HandoffTicket | None:
    """The conversation's ticket that a person has not closed yet."""
    return session.execute(
        select(HandoffTicket)
        .where(
            HandoffTicket.conversation_id == conversation_id,
            HandoffTicket.state != TicketState.CLOSED,
        )
        .order_by(HandoffTicket.id.desc())
    ).scalar()


def add_line(session: Session, *, ticket: HandoffTicket, line: Line) -> TicketMessage:
    """Append a line; a shopper message the ticket already has is not added again."""
    if line.author not in AUTHORS:
        raise TicketError(f"unknown author {line.author!r}")
    if line.message_id is not None:
        kept = session.execute(
            select(TicketMessage).where(
                TicketMessage.ticket_id == ticket.id, TicketMessage.message_id == line.message_id
            )
        ).scalar()
        if kept is not None:
            return kept
    message = TicketMessage(
        ticket_id=ticket.id,
        author=line.author,
        text=line.text[:MAX_TEXT],
        sentiment=line.sentiment,
        created_at=line.at,
        message_id=line.message_id,
    )
    session.add(message)
    session.flush()
    return message


def lines_after(session: Session, *, ticket: HandoffTicket, after: int = 0) -> list[TicketMessage]:
    """The ticket's lines with an id above `after`, oldest first (for a console that polls)."""
    return list(
        session.execute(
            select(TicketMessage)
            .where(TicketMessage.ticket_id == ticket.id, TicketMessage.id > after)
            .order_by(TicketMessage.id)
        ).scalars()
    )


def open_ticket(
    session: Session,
    *,
    conversation_id: str,
    reason: str,
    transcript: Sequence[Line],
    frustration: Sequence[float],
    now: datetime,
    customer_id: int | None = None,
) -> HandoffTicket:
    """A waiting ticket with the conversation so far; a conversation has one open at a time."""
    existing = open_ticket_of(session, conversation_id=conversation_id)
    if existing is not None:
        return existing
    ticket = HandoffTicket(
        conversation_id=conversation_id,
        customer_id=customer_id,
        reason=reason[:200],
        frustration=[round(float(f), 4) for f in frustration],
        state=TicketState.WAITING,
        created_at=now,
    )
    session.add(ticket)
    session.flush()
    for line in transcript:
        add_line(session, ticket=ticket, line=line)
    return ticket


def peak_frustration(ticket: HandoffTicket) -> float:
    return max(ticket.frustration or [0.0])


def waiting_queue(session: Session) -> list[HandoffTicket]:
    """Waiting tickets, the most frustrated first, then the longest waiting."""
    waiting = session.execute(
        select(HandoffTicket).where(HandoffTicket.state == TicketState.WAITING)
    ).scalars()
    return sorted(waiting, key=lambda t: (-peak_frustration(t), t.created_at, t.id))


def queue_position(session: Session, *, ticket: HandoffTicket) -> int:
    """1 for the ticket a person takes next."""
    return 1 + [t.id for t in waiting_queue(session)].index(ticket.id)


def agents_on_duty(session: Session, *, now: datetime) -> int:
    """Agents who said they are on duty and are still signed in."""
    return session.execute(
        select(func.count(func.distinct(Agent.id)))
        .join(AgentSession, AgentSession.agent_id == Agent.id)
        .where(Agent.on_duty.is_(True), AgentSession.expires_at > now)
    ).scalar_one()


def tickets_of(session: Session, *, agent: Agent) -> list[HandoffTicket]:
    """The tickets the agent has now, oldest first."""
    return list(
        session.execute(
            select(HandoffTicket)
            .where(HandoffTicket.agent_id == agent.id, HandoffTicket.state == TicketState.ASSIGNED)
            .order_by(HandoffTicket.assigned_at, HandoffTicket.id)
        ).scalars()
    )


def rateable_ticket_of(session: Session, *, conversation_id: str) -> HandoffTicket | None:
    """The conversation's latest closed ticket, while the shopper has not rated it."""
    latest = session.execute(
        select(HandoffTicket)
        .where(HandoffTicket.conversation_id == conversation_id)
        .order_by(HandoffTicket.id.desc())
    ).scalar()
    if latest is None or latest.state != TicketState.CLOSED or latest.rating is not None:
        return None
    return latest


def assign(session: Session, *, ticket: HandoffTicket, agent: Agent, now: datetime) -> None:
    if ticket.state == TicketState.CLOSED:
        raise TicketError("the ticket is closed")
    if ticket.state == TicketState.ASSIGNED and ticket.agent_id != agent.id:
        raise TicketError("another agent has this ticket")
    if ticket.state == TicketState.WAITING:
        ticket.state, ticket.agent_id, ticket.assigned_at = TicketState.ASSIGNED, agent.id, now
        add_line(session, ticket=ticket, line=Line("system", f"{agent.display_name} joined", now))


def close(
    session: Session, *, ticket: HandoffTicket, agent: Agent, note: str, now: datetime
) -> None:
    """The person's part is over: handed back to the assistant, or the case is closed."""
    if ticket.state != TicketState.ASSIGNED or ticket.agent_id != agent.id:
        raise TicketError("only the agent who has the ticket can close it")
    ticket.state, ticket.closed_at = TicketState.CLOSED, now
    add_line(session, ticket=ticket, line=Line("system", note, now))


def rate(session: Session, *, ticket: HandoffTicket, rating: int, now: datetime) -> None:
    """The shopper's 1–5 rating of a closed ticket, given once."""
    if ticket.state != TicketState.CLOSED or ticket.rating is not None:
        raise TicketError("only a closed, unrated ticket can be rated")
    if rating not in range(1, 6):
        raise TicketError("a rating is a whole number from 1 to 5")
    ticket.rating, ticket.rated_at = rating, now
    session.flush()
