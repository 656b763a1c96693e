"""Pick orders and customers of the seeded store that fit a test, by their state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.store.models import Order, OrderStatus
from bot.store.returns import delivered_at


@dataclass(frozen=True)
class Picked:
    number: str
    email: str
    customer_id: int
    line_ids: tuple[int, ...]


def pick(
    store: sessionmaker,
    *statuses: OrderStatus,
    recent_days: int | None = None,
    older_days: int | None = None,
) -> Picked:
    now = datetime.utcnow()
    with store() as session:
        orders = session.execute(
            select(Order).where(Order.status.in_(statuses)).order_by(Order.number)
        ).scalars()
        for order in orders:
            delivered = delivered_at(order)
            if recent_days and (not delivered or now - delivered > timedelta(days=recent_days)):
                continue
            if older_days and (not delivered or now - delivered < timedelta(days=older_days)):
                continue
            return Picked(
                order.number,
                order.customer.email,
                order.customer_id,
                tuple(line.id for line in order.lines),
            )
    raise LookupError("no such order in the seeded store")


def signed_in(customer_id: int) -> dict[str, int]:
    """A message's metadata as the Rasa server's channel stores it for a verified shopper."""
    return {"customer_id": customer_id}


def order_status(store: sessionmaker, number: str) -> OrderStatus:
    with store() as session:
        return session.execute(select(Order.status).where(Order.number == number)).scalar_one()
