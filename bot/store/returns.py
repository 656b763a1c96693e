"""Return eligibility from the store's policy, return requests and refund status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.store.models import (
    Order,
    OrderLine,
    OrderStatus,
    Refund,
    ReturnLine,
    ReturnRequest,
    ReturnStatus,
)

REFUND_METHODS = ("original_payment", "store_credit")


class ReturnNotAllowed(Exception):
    """The order or the chosen items cannot be returned."""


@dataclass(frozen=True)
class Eligibility:
    allowed: bool
    reason: str
    """Why not, as a code: not_delivered, window_closed, nothing_left; 'ok' when allowed."""
    deadline: datetime | None = None


def delivered_at(order: Order) -> datetime | None:
    dates = [s.delivered_at for s in order.shipments if s.delivered_at is not None]
    return max(dates) if dates else None


def returned_quantity(order: Order, line: OrderLine) -> int:
    return sum(
        rl.quantity
        for r in order.returns
        if r.status != ReturnStatus.REJECTED
        for rl in r.lines
        if rl.order_line_id == line.id
    )


def returnable_lines(order: Order) -> list[OrderLine]:
    """Lines with at least one unit not yet in a return."""
    return [line for line in order.lines if returned_quantity(order, line) < line.quantity]


def return_eligibility(order: Order, *, window_days: int, now: datetime) -> Eligibility:
    delivered = delivered_at(order)
    if order.status not in (OrderStatus.DELIVERED, OrderStatus.RETURN_REQUESTED) or not delivered:
        return Eligibility(False, "not_delivered")
    deadline = delivered + timedelta(days=window_days)
    if now > deadline:
        return Eligibility(False, "window_closed", deadline)
    if not returnable_lines(order):
        return Eligibility(False, "nothing_left", deadline)
    return Eligibility(True, "ok", deadline)


def create_return(
    session: Session,
    *,
    order: Order,
    line_ids: list[int],
    reason: str,
    refund_method: str,
    window_days: int,
    now: datetime,
) -> ReturnRequest:
    """Open a return for whole remaining quantities of the chosen lines."""
    if not return_eligibility(order, window_days=window_days, now=now).allowed:
        raise ReturnNotAllowed("order not eligible")
    if refund_method not in REFUND_METHODS:
        raise ReturnNotAllowed(f"unknown refund method {refund_method!r}")
    open_lines = {line.id: line for line in returnable_lines(order)}
    if not line_ids or any(i not in open_lines for i in line_ids):
        raise ReturnNotAllowed("item not returnable")
    request = ReturnRequest(
        order=order,
        status=ReturnStatus.REQUESTED,
        reason=reason[:500],
        refund_method=refund_method,
        created_at=now,
    )
    for line_id in line_ids:
        line = open_lines[line_id]
        remaining = line.quantity - returned_quantity(order, line)
        request.lines.append(ReturnLine(order_line_id=line.id, quantity=remaining))
    session.add(request)
    order.status = OrderStatus.RETURN_REQUESTED
    order.updated_at = now
    session.flush()
    return request


def latest_refund(order: Order) -> Refund | None:
    return max(order.refunds, key=lambda r: r.created_at, default=None)
