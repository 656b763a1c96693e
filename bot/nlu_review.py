"""Learning from real conversations: uncertain messages are queued for labelling, then exported.

Rasa publishes every conversation event to `StoreEventBroker` (bot/rasa_server/store_events.py);
shopper messages whose intent confidence is below `SHOPDESK_REVIEW_BELOW` land in the store's
`nlu_review` table with their personal data masked (bot/pii.py), and
`python -m bot review export FILE` writes them as Rasa NLU YAML.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.pii import mask_personal_data
from bot.store.models import NluReview


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
        "text": mask_personal_data(event["text"])[:2000],
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
            f"    - {' '.join(mask_personal_data(row.text).split())}",  # older rows too
        ]
        row.exported_at = now
    return "\n".join(lines) + "\n", len(rows)
