"""Order look-ups and the changes a shopper may make to an order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from bot.store.models import Customer, Order, OrderLine, OrderStatus, Shipment

CHANGEABLE = (OrderStatus.PENDING, OrderStatus.PAID)
"""Orders in these states have not left the warehouse: they can be cancelled or re-addressed."""


class OrderNotChangeable(Exception):
    """The order's state no longer allows the change."""


@dataclass(frozen=True)
class NewAddress:
    name: str
    line1: str
    city: str
    postcode: str
    country: str
    line2: str | None = None


def _with_details(stmt):  # type: ignore[no-untyped-def]
    return stmt.options(
        selectinload(Order.lines).selectinload(OrderLine.product),
        selectinload(Order.lines).selectinload(OrderLine.variant),
        selectinload(Order.shipments).selectinload(Shipment.events),
        selectinload(Order.payments),
        selectinload(Order.returns),
        selectinload(Order.refunds),
        selectinload(Order.customer),
    )


def find_order(session: Session, *, number: str) -> Order | None:
    return session.execute(_with_details(select(Order).where(Order.number == number))).scalar()


def find_guest_order(session: Session, *, number: str, email: str) -> Order | None:
    """The order with this number, only if it belongs to the customer with this e-mail."""
    stmt = (
        select(Order)
        .join(Order.customer)
        .where(Order.number == number, func.lower(Customer.email) == email.strip().lower())
    )
    return session.execute(_with_details(stmt)).scalar()


def orders_of_customer(session: Session, *, customer_id: int, limit: int = 10) -> list[Order]:
    """A customer's most recent orders, newest first."""
    stmt = (
        select(Order)
        .where(Order.customer_id == customer_id)
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(limit)
    )
    return list(session.execute(_with_details(stmt)).scalars())


def cancel_order(session: Session, *, order: Order, now: datetime) -> None:
    if order.status not in CHANGEABLE:
        raise OrderNotChangeable(order.status.value)
    order.status = OrderStatus.CANCELLED
    order.updated_at = now
    session.flush()


def change_shipping_address(
    session: Session, *, order: Order, address: NewAddress, now: datetime
) -> None:
    if order.status not in CHANGEABLE:
        raise OrderNotChangeable(order.status.value)
    order.ship_name = address.name
    order.ship_line1 = address.line1
    order.ship_line2 = address.line2
    order.ship_city = address.city
    order.ship_postcode = address.postcode
    order.ship_country = address.country
    order.updated_at = now
    session.flush()
