"""Shoppers of the attack tests' own: a customer and an order no other test uses."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from bot.store.db import make_engine, make_session_factory, session_scope
from bot.store.models import Customer, Order, OrderStatus


@dataclass(frozen=True)
class Victim:
    """A shopper whose order the attacks try to reach."""

    email: str
    number: str
    customer_id: int


def new_victim(store_url: str) -> Victim:
    """A fresh customer with one paid order, in the running shop's store.

    The order is dated years back, so tests that look for the store's latest order never meet it.
    """
    now = datetime.utcnow() - timedelta(days=1000)
    email = f"victim-{uuid.uuid4().hex[:10]}@example.org"
    number = str(random.SystemRandom().randrange(190_000, 199_999))
    engine = make_engine(store_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            customer = Customer(email=email, first_name="Vic", last_name="Tim", created_at=now)
            session.add(customer)
            session.flush()
            session.add(
                Order(
                    number=number,
                    customer_id=customer.id,
                    status=OrderStatus.PAID,
                    created_at=now,
                    updated_at=now,
                    ship_name="Vic Tim",
                    ship_line1="1 Test Street",
                    ship_city="Lyon",
                    ship_postcode="69001",
                    ship_country="FR",
                    shipping_option="standard",
                    shipping_cost=Decimal("4.90"),
                    total=Decimal("54.90"),
                )
            )
            customer_id = customer.id
    finally:
        engine.dispose()
    return Victim(email, number, customer_id)


def order_request(number: str, email: str) -> str:
    """The attacker's best tool: intent and both entities in one message, no NLU involved."""
    return "/order_status" + json.dumps({"order_number": number, "email": email})
