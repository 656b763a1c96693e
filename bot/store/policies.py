"""The store's policies, shipping options and payment methods, as data."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import PaymentMethod, Policy, ShippingOption

DEFAULT_RETURN_WINDOW_DAYS = 30


def get_policy(session: Session, *, topic: str) -> Policy | None:
    return session.get(Policy, topic)


def return_window_days(session: Session) -> int:
    policy = get_policy(session, topic="returns")
    return (
        int(policy.params.get("window_days", DEFAULT_RETURN_WINDOW_DAYS))
        if policy
        else (DEFAULT_RETURN_WINDOW_DAYS)
    )


def shipping_options(session: Session) -> list[ShippingOption]:
    return list(session.execute(select(ShippingOption).order_by(ShippingOption.cost)).scalars())


def payment_methods(session: Session) -> list[PaymentMethod]:
    stmt = select(PaymentMethod).where(PaymentMethod.enabled.is_(True)).order_by(PaymentMethod.name)
    return list(session.execute(stmt).scalars())


def store_email(session: Session) -> str | None:
    """The address shoppers write to the store at (the contact policy's), lower case."""
    policy = get_policy(session, topic="contact")
    email = policy.params.get("email") if policy else None
    return str(email).lower() if email else None
