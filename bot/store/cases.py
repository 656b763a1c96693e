"""Support cases: payment problems, complaints, feedback, account requests, handoff requests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
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
    transcript: str | None = None,
) -> SupportCase:
    case = SupportCase(
        kind=kind,
        status="open",
        conversation_id=conversation_id,
        summary=summary[:2000],
        customer_id=customer_id,
        order_id=order_id,
        created_at=now,
        transcript=transcript,
    )
    session.add(case)
    session.flush()
    return case


def latest_case(session: Session, *, conversation_id: str, kind: CaseKind) -> SupportCase | None:
    return session.execute(
        select(SupportCase)
        .where(SupportCase.conversation_id == conversation_id, SupportCase.kind == kind)
        .order_by(SupportCase.id.desc())
    ).scalar()
