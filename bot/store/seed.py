"""A deterministic, realistic demo store: catalog, customers with tastes, orders in every state."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import delete
from sqlalchemy.orm import Session

from bot.store import demo_catalog as demo
from bot.store.models import (
    Address,
    Base,
    Customer,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Policy,
    Product,
    ProductVariant,
    Refund,
    RefundStatus,
    ReturnLine,
    ReturnRequest,
    ReturnStatus,
    Shipment,
    ShipmentEvent,
    ShippingOption,
)

CENT = Decimal("0.01")
PRODUCTS_PER_LINE = 11
FIRST_ORDER_NUMBER = 100001

# How many of the orders end in each state; spread so every flow has examples.
STATUS_MIX: tuple[tuple[OrderStatus, int], ...] = (
    (OrderStatus.PENDING, 15),
    (OrderStatus.PAID, 25),
    (OrderStatus.SHIPPED, 20),
    (OrderStatus.IN_TRANSIT, 25),
    (OrderStatus.DELIVERED, 140),
    (OrderStatus.CANCELLED, 20),
    (OrderStatus.RETURN_REQUESTED, 20),
    (OrderStatus.RETURNED, 15),
    (OrderStatus.REFUNDED, 20),
)


@dataclass(frozen=True)
class SeedSize:
    customers: int = 50
    orders: int = 300


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _price(rng: random.Random, low: int, high: int) -> Decimal:
    return _money(int(rng.uniform(low, high)) + 0.99)


def make_catalog(rng: random.Random) -> list[Product]:
    products: list[Product] = []
    for line_no, line in enumerate(demo.PRODUCT_LINES):
        models = rng.sample(demo.MODEL_NAMES, PRODUCTS_PER_LINE)
        for i, model in enumerate(models):
            brand = line.brands[i % len(line.brands)]
            features = rng.sample(line.features, 2)
            colours = rng.sample(line.colours, min(len(line.colours), rng.randint(1, 3)))
            sku = f"{line.category[:3].upper()}-{line_no:02d}{i:02d}"
            product = Product(
                sku=sku,
                title=f"{brand} {model} {line.kind}",
                category=line.category,
                brand=brand,
                price=_price(rng, *line.price_range),
                description=(
                    f"The {model} {line.kind.lower()} from {brand}: {features[0]} and "
                    f"{features[1]}. Built for {line.category}."
                ),
                image_url=f"/static/products/{line.category}.svg",
                attributes=features,
                active=True,
            )
            for colour in colours:
                for size in line.sizes:
                    stock = rng.choice((0, 0, 2, 5, 8, 12, 20))
                    product.variants.append(ProductVariant(colour=colour, size=size, stock=stock))
            products.append(product)
    return products


def make_customers(rng: random.Random, count: int, today: datetime) -> list[Customer]:
    customers = []
    pairs = [(f, last) for last in demo.LAST_NAMES for f in demo.FIRST_NAMES]
    rng.shuffle(pairs)
    pairs.sort(key=lambda p: p[0] != "Maria" or p[1] != "Lopez")  # a known first customer
    for first, last in pairs[:count]:
        city, country, postcode = rng.choice(demo.CITIES)
        customer = Customer(
            email=f"{first}.{last}@example.com".lower(),
            first_name=first,
            last_name=last,
            phone=f"+49 30 {rng.randint(1000000, 9999999)}",
            newsletter=rng.random() < 0.4,
            created_at=today - timedelta(days=rng.randint(200, 900)),
        )
        customer.addresses.append(
            Address(
                line1=f"{rng.randint(1, 120)} {rng.choice(demo.STREETS)}",
                city=city,
                postcode=postcode,
                country=country,
                is_default=True,
            )
        )
        customers.append(customer)
    return customers


def _tastes(rng: random.Random) -> tuple[list[str], str]:
    """A customer's favourite categories and brand: a runner buys running gear."""
    categories = sorted({line.category for line in demo.PRODUCT_LINES})
    favourites = rng.sample(categories, 2)
    brands = sorted(
        {b for line in demo.PRODUCT_LINES if line.category == favourites[0] for b in line.brands}
    )
    return favourites, rng.choice(brands)


def _pick_products(
    rng: random.Random, catalog: list[Product], favourites: list[str], brand: str
) -> list[Product]:
    liked = [p for p in catalog if p.category in favourites]
    loved = [p for p in liked if p.brand == brand] or liked
    chosen: list[Product] = []
    for _ in range(rng.choice((1, 1, 2, 2, 3))):
        pool = loved if rng.random() < 0.5 else liked if rng.random() < 0.75 else catalog
        product = rng.choice(pool)
        if product not in chosen:
            chosen.append(product)
    return chosen


def _age_days(rng: random.Random, status: OrderStatus) -> float:
    """How long ago an order in this state was placed."""
    if status in (OrderStatus.PENDING, OrderStatus.PAID):
        return rng.uniform(0.05, 1.5)
    if status is OrderStatus.SHIPPED:
        return rng.uniform(1.5, 3)
    if status is OrderStatus.IN_TRANSIT:
        return rng.uniform(2, 5)
    if status is OrderStatus.RETURN_REQUESTED:
        return rng.uniform(8, 25)
    if status is OrderStatus.DELIVERED:
        return rng.uniform(6, 20) if rng.random() < 0.3 else rng.uniform(45, 360)
    return rng.uniform(20, 300)


def _shipment(rng: random.Random, order: Order, status: OrderStatus) -> Shipment:
    shipped = order.created_at + timedelta(hours=rng.uniform(8, 30))
    transit_days = rng.randint(2, 4)
    carrier = rng.choice(demo.CARRIERS)
    shipment = Shipment(
        carrier=carrier,
        tracking_number=f"{carrier[:2]}{rng.randint(10**9, 10**10 - 1)}",
        shipped_at=shipped,
        estimated_delivery=shipped + timedelta(days=transit_days),
    )
    steps = [
        ("label_created", "Warehouse Leipzig", "Shipping label created"),
        ("picked_up", "Warehouse Leipzig", f"Picked up by {carrier}"),
    ]
    if status is not OrderStatus.SHIPPED:
        steps.append(("in_transit", "Sorting centre Kassel", "In transit to the delivery depot"))
    delivered = status not in (OrderStatus.SHIPPED, OrderStatus.IN_TRANSIT)
    if delivered:
        steps.append(("out_for_delivery", f"Depot {order.ship_city}", "Out for delivery"))
        steps.append(("delivered", order.ship_city, "Delivered"))
    for n, (code, place, text) in enumerate(steps):
        at = shipped + timedelta(hours=n * 14)
        shipment.events.append(ShipmentEvent(at=at, status=code, location=place, description=text))
    if delivered:
        shipment.delivered_at = shipment.events[-1].at
    return shipment


def _payment(rng: random.Random, order: Order, status: OrderStatus) -> Payment:
    method = rng.choice(("card", "card", "card", "paypal", "klarna", "apple_pay"))
    pay_status = {
        OrderStatus.PENDING: rng.choice((PaymentStatus.AUTHORIZED, PaymentStatus.FAILED)),
        OrderStatus.CANCELLED: PaymentStatus.VOIDED,
        OrderStatus.REFUNDED: PaymentStatus.REFUNDED,
    }.get(status, PaymentStatus.CAPTURED)
    card = method == "card"
    return Payment(
        method=method,
        status=pay_status,
        amount=order.total,
        card_brand=rng.choice(("Visa", "Mastercard")) if card else None,
        card_last4=f"{rng.randint(0, 9999):04d}" if card else None,
        created_at=order.created_at,
    )


def _after_sale(rng: random.Random, order: Order, status: OrderStatus) -> None:
    """Returns and refunds for orders that came back."""
    if status not in (OrderStatus.RETURN_REQUESTED, OrderStatus.RETURNED, OrderStatus.REFUNDED):
        return
    delivered = order.shipments[-1].delivered_at
    assert delivered is not None
    opened = delivered + timedelta(days=rng.uniform(1, 6))
    request = ReturnRequest(
        status={
            OrderStatus.RETURN_REQUESTED: ReturnStatus.REQUESTED,
            OrderStatus.RETURNED: ReturnStatus.RECEIVED,
        }.get(status, ReturnStatus.REFUNDED),
        reason=rng.choice(
            ("Too small", "Too big", "Not as described", "Arrived damaged", "Changed my mind")
        ),
        refund_method=rng.choice(("original_payment", "original_payment", "store_credit")),
        created_at=opened,
    )
    line = order.lines[0]
    request.lines.append(ReturnLine(order_line=line, quantity=line.quantity))
    order.returns.append(request)
    if status is OrderStatus.RETURN_REQUESTED:
        return
    refund = Refund(
        order=order,
        amount=_money(float(line.unit_price) * line.quantity),
        method=request.refund_method,
        status=RefundStatus.COMPLETED if status is OrderStatus.REFUNDED else RefundStatus.PENDING,
        created_at=opened + timedelta(days=4),
        completed_at=opened + timedelta(days=7) if status is OrderStatus.REFUNDED else None,
    )
    request.refund = refund


def make_orders(
    rng: random.Random,
    customers: list[Customer],
    catalog: list[Product],
    count: int,
    today: datetime,
) -> list[Order]:
    tastes = {id(c): _tastes(rng) for c in customers}
    statuses = [s for s, n in STATUS_MIX for _ in range(n)]
    statuses = (statuses * (count // len(statuses) + 1))[:count]
    rng.shuffle(statuses)
    orders: list[Order] = []
    for i, status in enumerate(statuses):
        customer = customers[i % len(customers)] if i < len(customers) else rng.choice(customers)
        favourites, brand = tastes[id(customer)]
        created = today - timedelta(days=_age_days(rng, status))
        address = customer.addresses[0]
        order = Order(
            customer=customer,
            status=status,
            created_at=created,
            updated_at=created,
            ship_name=f"{customer.first_name} {customer.last_name}",
            ship_line1=address.line1,
            ship_city=address.city,
            ship_postcode=address.postcode,
            ship_country=address.country,
            shipping_option=rng.choice(("standard", "standard", "express")),
        )
        for product in _pick_products(rng, catalog, favourites, brand):
            variant = rng.choice(product.variants)
            order.lines.append(
                OrderLine(
                    product=product,
                    variant=variant,
                    quantity=rng.choice((1, 1, 1, 2)),
                    unit_price=product.price,
                )
            )
        subtotal = sum((line.amount for line in order.lines), Decimal("0"))
        order.shipping_cost = Decimal("0.00") if subtotal >= 50 else Decimal("4.95")
        order.total = subtotal + order.shipping_cost
        order.payments.append(_payment(rng, order, status))
        if status not in (OrderStatus.PENDING, OrderStatus.PAID, OrderStatus.CANCELLED):
            order.shipments.append(_shipment(rng, order, status))
        _after_sale(rng, order, status)
        orders.append(order)
    orders.sort(key=lambda o: o.created_at)
    for n, order in enumerate(orders):
        order.number = str(FIRST_ORDER_NUMBER + n)
    return orders


def store_settings() -> list[Base]:
    rows: list[Base] = [
        Policy(topic=t, title=title, text=text, params=params)
        for t, title, text, params in demo.POLICIES
    ]
    rows += [
        ShippingOption(
            code=c,
            name=n,
            cost=Decimal(cost),
            free_over=Decimal(free) if free else None,
            min_days=lo,
            max_days=hi,
            countries=[],
        )
        for c, n, cost, free, lo, hi in demo.SHIPPING_OPTIONS
    ]
    rows += [PaymentMethod(code=c, name=n, notes=notes) for c, n, notes in demo.PAYMENT_METHODS]
    return rows


def clear_store(session: Session) -> None:
    """Delete every row of the store's tables, children first."""
    for table in reversed(Base.metadata.sorted_tables):
        session.execute(delete(table))


def seed_store(
    session: Session, *, seed: int = 7, today: datetime | None = None, size: SeedSize = SeedSize()
) -> None:
    """Replace the store's contents with the demo store generated from `seed`."""
    today = today or datetime.utcnow().replace(microsecond=0)
    rng = random.Random(seed)
    clear_store(session)
    catalog = make_catalog(rng)
    customers = make_customers(rng, size.customers, today)
    orders = make_orders(rng, customers, catalog, size.orders, today)
    session.add_all(store_settings())
    session.add_all(catalog)
    session.add_all(customers)
    session.add_all(orders)
    session.flush()
