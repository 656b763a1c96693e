"""Customer accounts: look-up and the settings a shopper may change."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.store.models import Customer


def get_customer(session: Session, *, customer_id: int) -> Customer | None:
    return session.get(Customer, customer_id)


def set_newsletter(session: Session, *, customer: Customer, subscribed: bool) -> None:
    customer.newsletter = subscribed
    session.flush()


def customer_by_email(session: Session, *, email: str) -> Customer | None:
    stmt = select(Customer).where(func.lower(Customer.email) == email.strip().lower())
    return session.execute(stmt).scalar()


def first_customers(session: Session, *, limit: int = 8) -> list[Customer]:
    """The oldest accounts: the demo store offers them for signing in."""
    return list(session.execute(select(Customer).order_by(Customer.id).limit(limit)).scalars())
