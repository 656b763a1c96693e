"""Handing a conversation to the team: a ticket in the queue, or a case when no one is on duty."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.handoff.tickets import Line, agents_on_duty, open_ticket, queue_position
from bot.handoff.transcript import as_text
from bot.store.cases import latest_case, open_case
from bot.store.models import CaseKind
from bot.store.throttle import Key, admit, requester_keys


@dataclass(frozen=True)
class Handover:
    """Where a handed-over conversation went: a queue position, a case for later, or nowhere."""

    position: int | None = None
    case_id: int | None = None
    refused: bool = False
    """Too many requests from this client or conversation lately: nothing new was opened."""


def handover_keys(secret: str, *, client: str, conversation_id: str) -> list[Key]:
    """What requests for a person are counted against: 3 a client, 2 a conversation per 15 min."""
    return requester_keys(
        secret,
        kind="handover",
        client=client,
        conversation_id=conversation_id,
        per_client=3,
        per_conversation=2,
    )


def hand_over(
    session: Session,
    *,
    conversation_id: str,
    reason: str,
    transcript: Sequence[Line],
    frustration: Sequence[float],
    now: datetime,
    limits: Sequence[Key] = (),
    customer_id: int | None = None,
) -> Handover:
    """Queue the conversation for an agent on duty, or record it as a case when there is none.

    Each request counts against `limits`; one over them opens nothing.
    """
    if not admit(session, keys=limits, now=now):
        return Handover(refused=True)
    if agents_on_duty(session, now=now) == 0:
        said = [line.text for line in transcript if line.author == "shopper"]
        case = open_case(
            session,
            kind=CaseKind.HANDOFF_REQUEST,
            conversation_id=conversation_id,
            summary=f"{reason}: {said[-1] if said else ''}",
            now=now,
            customer_id=customer_id,
            transcript=as_text(transcript),
        )
        return Handover(case_id=case.id)
    ticket = open_ticket(
        session,
        conversation_id=conversation_id,
        reason=reason,
        transcript=transcript,
        frustration=frustration,
        now=now,
        customer_id=customer_id,
    )
    return Handover(position=queue_position(session, ticket=ticket))


def answer_by_email(session: Session, *, conversation_id: str, email: str | None) -> int | None:
    """The conversation's latest request for a person, to be answered at `email` when given."""
    case = latest_case(session, conversation_id=conversation_id, kind=CaseKind.HANDOFF_REQUEST)
    if case is None:
        return None
    if email:
        case.reply_email = email[:254]
    return case.id
