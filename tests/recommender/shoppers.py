"""Shoppers with a known history, written into a test store."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.store.models import Customer, Order, OrderLine, OrderStatus, Product


def add_shopper(session: Session, *, email: str, category: str, orders: int = 3) -> int:
    """A new customer whose delivered orders hold only products of `category`; their id."""
    products = list(
        session.execute(
            select(Product).where(Product.category == category).order_by(Product.id)
        ).scalars()
    )
    now = datetime.utcnow()
    customer = Customer(
        email=email, first_name="Test", last_name="Shopper", created_at=now - timedelta(days=400)
    )
    session.add(customer)
    next_number = int(session.execute(select(func.max(Order.number))).scalar_one()) + 1
    for n in range(orders):
        picked = products[n * 5 % len(products) :][:2]
        created = now - timedelta(days=30 * (orders - n))
        order = Order(
            number=str(next_number + n),
            customer=customer,
            status=OrderStatus.DELIVERED,
            created_at=created,
            updated_at=created,
            ship_name="Test Shopper",
            ship_line1="1 Test Street",
            ship_city="Berlin",
            ship_postcode="10115",
            ship_country="DE",
            shipping_option="standard",
            shipping_cost=Decimal("0.00"),
            total=sum((p.price for p in picked), Decimal("0")),
        )
        session.add(order)
        for product in picked:
            variant = product.variants[0]
            order.lines.append(
                OrderLine(product=product, variant=variant, quantity=1, unit_price=product.price)
            )
    session.flush()
    return int(customer.id)
