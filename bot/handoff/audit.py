"""The agent console's audit log: which agent signed in, opened, took, answered or closed what.

A row holds the agent, the ticket and a short detail, never what the shopper or the agent wrote.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import ConsoleAudit

ACTIONS = frozenset(
    {"signed_in", "signed_out", "opened", "took", "replied", "handed_back", "closed"}
)
OPENED_GAP = timedelta(minutes=10)
"""The console reads an open ticket every second: one "opened" row per agent and ticket per gap."""


def record(
    session: Session,
    *,
    agent_id: int,
    action: str,
    now: datetime,
    ticket_id: int | None = None,
    detail: str = "",
) -> ConsoleAudit:
    """Add one row to the audit log."""
    if action not in ACTIONS:
        raise ValueError(f"unknown console action {action!r}")
    row = ConsoleAudit(
        agent_id=agent_id, action=action, ticket_id=ticket_id, detail=detail[:200], created_at=now
    )
    session.add(row)
    return row


def record_opened(session: Session, *, agent_id: int, ticket_id: int, now: datetime) -> bool:
    """Log that the agent read the ticket, unless they already did within OPENED_GAP."""
    recent = session.execute(
        select(ConsoleAudit.id).where(
            ConsoleAudit.agent_id == agent_id,
            ConsoleAudit.ticket_id == ticket_id,
            ConsoleAudit.action == "opened",
            ConsoleAudit.created_at > now - OPENED_GAP,
        )
    ).first()
    if recent is not None:
        return False
    record(session, agent_id=agent_id, action="opened", ticket_id=ticket_id, now=now)
    return True


def audit_trail(
    session: Session, *, ticket_id: int | None = None, agent_id: int | None = None
) -> list[ConsoleAudit]:
    """The audit log, oldest first; only one ticket's or one agent's rows when asked."""
    stmt = select(ConsoleAudit).order_by(ConsoleAudit.created_at, ConsoleAudit.id)
    if ticket_id is not None:
        stmt = stmt.where(ConsoleAudit.ticket_id == ticket_id)
    if agent_id is not None:
        stmt = stmt.where(ConsoleAudit.agent_id == agent_id)
    return list(session.execute(stmt).scalars())
