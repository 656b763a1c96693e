"""Order history as the recommender sees it: who bought what, and what came back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.store.models import (
    Customer,
    Order,
    OrderLine,
    OrderStatus,
    ReturnLine,
    ReturnRequest,
    ReturnStatus,
)


@dataclass(frozen=True)
class Purchase:
    product_id: int
    colour: str | None
    size: str | None
    unit_price: float
    returned: bool
    return_reason: str | None = None


@dataclass(frozen=True)
class OrderRecord:
    """One order that went through (cancelled orders are left out)."""

    id: int
    customer_id: int
    created_at: datetime
    purchases: tuple[Purchase, ...]

    @property
    def product_ids(self) -> frozenset[int]:
        return frozenset(p.product_id for p in self.purchases)


def _record(order: Order) -> OrderRecord:
    returned: dict[int, str] = {}
    for request in order.returns:
        if request.status is not ReturnStatus.REJECTED:
            for line in request.lines:
                returned[line.order_line_id] = request.reason
    purchases = tuple(
        Purchase(
            product_id=line.product_id,
            colour=line.variant.colour if line.variant else None,
            size=line.variant.size if line.variant else None,
            unit_price=float(line.unit_price),
            returned=line.id in returned,
            return_reason=returned.get(line.id),
        )
        for line in order.lines
    )
    return OrderRecord(order.id, order.customer_id, order.created_at, purchases)


def load_orders(session: Session, *, customer_id: int | None = None) -> list[OrderRecord]:
    """Orders that were not cancelled, oldest first; one customer's when `customer_id` is given."""
    stmt = select(Order).where(Order.status != OrderStatus.CANCELLED)
    if customer_id is not None:
        stmt = stmt.where(Order.customer_id == customer_id)
    stmt = stmt.options(
        selectinload(Order.lines).selectinload(OrderLine.variant),
        selectinload(Order.returns)
        .selectinload(ReturnRequest.lines)
        .load_only(ReturnLine.order_line_id),
    ).order_by(Order.created_at, Order.id)
    return [_record(order) for order in session.execute(stmt).scalars()]


def customer_exists(session: Session, *, customer_id: int) -> bool:
    return session.get(Customer, customer_id) is not None
