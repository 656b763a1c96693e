"""Customer accounts: look-up and the settings a shopper may change."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.store.models import Customer


def get_customer(session: Session, *, customer_id: int) -> Customer | None:
    return session.get(Customer, customer_id)


def set_newsletter(session: Session, *, customer: Customer, subscribed: bool) -> None:
    customer.newsletter = subscribed
    session.flush()
