"""The demo store is big, varied, realistic and the same every time."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from bot.store.db import make_engine, make_session_factory, migrate, session_scope
from bot.store.models import Customer, Order, OrderStatus, Product
from bot.store.seed import seed_store

TODAY = datetime(2026, 6, 1, 12, 0)


def _snapshot(url: str) -> list[tuple]:
    migrate(url)
    engine = make_engine(url)
    with session_scope(make_session_factory(engine)) as session:
        seed_store(session, seed=3, today=TODAY)
    with session_scope(make_session_factory(engine)) as session:
        rows = session.execute(
            select(Order.number, Order.status, Order.total, Order.created_at, Customer.email)
            .join(Order.customer)
            .order_by(Order.number)
        ).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def test_same_seed_gives_the_same_store(tmp_path):
    first = _snapshot(f"sqlite:///{tmp_path / 'a.db'}")
    second = _snapshot(f"sqlite:///{tmp_path / 'b.db'}")
    assert first == second
    assert len(first) == 300


def test_catalog_and_customers_are_large_enough(store: sessionmaker):
    with store() as session:
        products = session.execute(select(func.count(Product.id))).scalar()
        categories = session.execute(select(func.count(func.distinct(Product.category)))).scalar()
        customers = session.execute(select(func.count(Customer.id))).scalar()
    assert products >= 300
    assert categories >= 8
    assert customers == 50


def test_orders_cover_every_state_and_a_year(store: sessionmaker):
    with store() as session:
        orders = list(session.execute(select(Order)).scalars())
        states = Counter(o.status for o in orders)
        span = max(o.created_at for o in orders) - min(o.created_at for o in orders)
        shipped_have_tracking = all(
            o.shipments and o.shipments[0].events
            for o in orders
            if o.status in (OrderStatus.SHIPPED, OrderStatus.IN_TRANSIT, OrderStatus.DELIVERED)
        )
        refunded_have_refunds = all(o.refunds for o in orders if o.status is OrderStatus.REFUNDED)
    assert len(orders) == 300
    assert set(states) == set(OrderStatus)
    assert span.days > 180
    assert shipped_have_tracking
    assert refunded_have_refunds


def test_customers_have_real_preferences(store: sessionmaker):
    """Most customers buy mostly from one or two categories (a runner buys running gear)."""
    with store() as session:
        focused = 0
        customers = list(session.execute(select(Customer)).scalars())
        for customer in customers:
            categories = Counter(
                line.product.category for order in customer.orders for line in order.lines
            )
            top_two = sum(n for _, n in categories.most_common(2))
            if top_two >= 0.6 * sum(categories.values()):
                focused += 1
    assert focused >= 0.7 * len(customers)
