"""Order look-ups, cancelling, re-addressing, returns and product search in the store layer."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.store.models import Order, OrderStatus, ReturnRequest
from bot.store.orders import (
    NewAddress,
    OrderNotChangeable,
    cancel_order,
    change_shipping_address,
    find_guest_order,
    find_order,
    orders_of_customer,
)
from bot.store.products import ProductQuery, search_products
from bot.store.returns import (
    ReturnNotAllowed,
    create_return,
    delivered_at,
    return_eligibility,
)

NOW = datetime.utcnow


def first_order(session: Session, *statuses: OrderStatus) -> Order:
    return (
        session.execute(select(Order).where(Order.status.in_(statuses)).order_by(Order.number))
        .scalars()
        .first()
    )


def returnable_order(session: Session) -> Order:
    delivered = session.execute(
        select(Order).where(Order.status == OrderStatus.DELIVERED).order_by(Order.number)
    ).scalars()
    return next(o for o in delivered if NOW() - delivered_at(o) < timedelta(days=25))


def test_guest_lookup_needs_the_matching_email(store: sessionmaker):
    with store() as session:
        order = first_order(session, OrderStatus.SHIPPED)
        email = order.customer.email
        other = (
            session.execute(select(Order).where(Order.customer_id != order.customer_id))
            .scalars()
            .first()
        )
        assert find_guest_order(session, number=order.number, email=email.upper()).id == order.id
        assert find_guest_order(session, number=order.number, email=other.customer.email) is None
        assert find_guest_order(session, number="999999", email=email) is None
        assert find_order(session, number="' OR 1=1 --") is None


def test_customer_orders_are_newest_first(store: sessionmaker):
    with store() as session:
        order = first_order(session, OrderStatus.DELIVERED)
        orders = orders_of_customer(session, customer_id=order.customer_id)
        assert orders and all(o.customer_id == order.customer_id for o in orders)
        assert [o.created_at for o in orders] == sorted(
            (o.created_at for o in orders), reverse=True
        )


def test_cancel_only_before_shipping(store: sessionmaker):
    with store.begin() as session:
        paid = first_order(session, OrderStatus.PAID)
        cancel_order(session, order=paid, now=NOW())
        number = paid.number
        shipped = first_order(session, OrderStatus.SHIPPED)
        with pytest.raises(OrderNotChangeable):
            cancel_order(session, order=shipped, now=NOW())
    with store() as session:
        assert find_order(session, number=number).status is OrderStatus.CANCELLED


def test_address_change_is_persisted_and_refused_after_shipping(store: sessionmaker):
    address = NewAddress(
        name="A B", line1="5 New Road", city="Bonn", postcode="53111", country="DE"
    )
    with store.begin() as session:
        pending = first_order(session, OrderStatus.PENDING)
        change_shipping_address(session, order=pending, address=address, now=NOW())
        number = pending.number
        with pytest.raises(OrderNotChangeable):
            change_shipping_address(
                session,
                order=first_order(session, OrderStatus.IN_TRANSIT),
                address=address,
                now=NOW(),
            )
    with store() as session:
        order = find_order(session, number=number)
        assert (order.ship_line1, order.ship_city) == ("5 New Road", "Bonn")


def test_return_window_and_return_creation(store: sessionmaker):
    with store.begin() as session:
        order = returnable_order(session)
        old = next(
            o
            for o in session.execute(
                select(Order).where(Order.status == OrderStatus.DELIVERED)
            ).scalars()
            if NOW() - delivered_at(o) > timedelta(days=40)
        )
        assert return_eligibility(order, window_days=30, now=NOW()).allowed
        assert return_eligibility(old, window_days=30, now=NOW()).reason == "window_closed"
        assert (
            return_eligibility(
                first_order(session, OrderStatus.PAID), window_days=30, now=NOW()
            ).reason
            == "not_delivered"
        )
        with pytest.raises(ReturnNotAllowed):
            create_return(
                session,
                order=old,
                line_ids=[old.lines[0].id],
                reason="x",
                refund_method="store_credit",
                window_days=30,
                now=NOW(),
            )
        request = create_return(
            session,
            order=order,
            line_ids=[order.lines[0].id],
            reason="Too small",
            refund_method="store_credit",
            window_days=30,
            now=NOW(),
        )
        request_id, number = request.id, order.number
    with store() as session:
        saved = session.get(ReturnRequest, request_id)
        assert saved.order.number == number
        assert saved.order.status is OrderStatus.RETURN_REQUESTED
        assert saved.lines[0].quantity == saved.lines[0].order_line.quantity


def test_search_filters_always_hold(store: sessionmaker):
    query = ProductQuery(text="running shoes", colour="black", max_price=None, min_price=None)
    with store() as session:
        found = search_products(session, query=query, limit=20)
        cheap = search_products(
            session, query=ProductQuery(category="running", max_price=50), limit=50
        )
    assert found
    assert all(any(v.colour == "black" and v.stock > 0 for v in p.variants) for p in found)
    assert all("Shoe" in p.title for p in found[:3])
    assert cheap and all(p.category == "running" and p.price <= 50 for p in cheap)
