"""Support cases: payment problems, complaints, feedback, account requests, handoff requests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.store.models import CaseKind, SupportCase


def open_case(
    session: Session,
    *,
    kind: CaseKind,
    conversation_id: str,
    summary: str,
    now: datetime,
    customer_id: int | None = None,
    order_id: int | None = None,
) -> SupportCase:
    case = SupportCase(
        kind=kind,
        status="open",
        conversation_id=conversation_id,
        summary=summary[:2000],
        customer_id=customer_id,
        order_id=order_id,
        created_at=now,
    )
    session.add(case)
    session.flush()
    return case
