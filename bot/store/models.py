"""SQLAlchemy models of the store: catalog, customers, orders, returns, support, policies."""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship

Base: Any = declarative_base()

Money = Numeric(10, 2)


class OrderStatus(str, enum.Enum):
    PENDING = "pending"
    PAID = "paid"
    SHIPPED = "shipped"
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    RETURN_REQUESTED = "return_requested"
    RETURNED = "returned"
    REFUNDED = "refunded"


class PaymentStatus(str, enum.Enum):
    AUTHORIZED = "authorized"
    CAPTURED = "captured"
    FAILED = "failed"
    REFUNDED = "refunded"
    VOIDED = "voided"


class ReturnStatus(str, enum.Enum):
    REQUESTED = "requested"
    RECEIVED = "received"
    REFUNDED = "refunded"
    REJECTED = "rejected"


class RefundStatus(str, enum.Enum):
    PENDING = "pending"
    COMPLETED = "completed"


class CaseKind(str, enum.Enum):
    PAYMENT_PROBLEM = "payment_problem"
    COMPLAINT = "complaint"
    FEEDBACK = "feedback"
    HANDOFF_REQUEST = "handoff_request"
    ACCOUNT_DELETION = "account_deletion"
    ACCOUNT_CHANGE = "account_change"
    PASSWORD_RESET = "password_reset"


def _enum(cls: type[enum.Enum]) -> Enum:
    """Store enums by value as plain strings, portable across SQLite and PostgreSQL."""
    return Enum(
        cls,
        values_callable=lambda members: [m.value for m in members],
        native_enum=False,
        length=32,
        validate_strings=True,
    )


class Customer(Base):
    __tablename__ = "customers"

    id = Column(Integer, primary_key=True)
    email = Column(String(254), nullable=False, unique=True, index=True)
    first_name = Column(String(80), nullable=False)
    last_name = Column(String(80), nullable=False)
    phone = Column(String(32))
    newsletter = Column(Boolean, nullable=False, default=False)
    created_at = Column(DateTime, nullable=False)

    addresses = relationship("Address", back_populates="customer", order_by="Address.id")
    orders = relationship("Order", back_populates="customer", order_by="Order.created_at")


class Address(Base):
    __tablename__ = "addresses"

    id = Column(Integer, primary_key=True)
    customer_id = Column(ForeignKey("customers.id"), nullable=False, index=True)
    line1 = Column(String(200), nullable=False)
    line2 = Column(String(200))
    city = Column(String(100), nullable=False)
    postcode = Column(String(20), nullable=False)
    country = Column(String(2), nullable=False)
    is_default = Column(Boolean, nullable=False, default=False)

    customer = relationship("Customer", back_populates="addresses")


class Product(Base):
    __tablename__ = "products"

    id = Column(Integer, primary_key=True)
    sku = Column(String(40), nullable=False, unique=True)
    title = Column(String(200), nullable=False)
    category = Column(String(60), nullable=False, index=True)
    brand = Column(String(60), nullable=False, index=True)
    price = Column(Money, nullable=False)
    description = Column(Text, nullable=False, default="")
    image_url = Column(String(500), nullable=False, default="")
    attributes = Column(JSON, nullable=False, default=list)
    active = Column(Boolean, nullable=False, default=True)

    variants = relationship(
        "ProductVariant", back_populates="product", order_by="ProductVariant.id"
    )

    @property
    def stock(self) -> int:
        return sum(v.stock for v in self.variants)


class ProductVariant(Base):
    __tablename__ = "product_variants"
    __table_args__ = (UniqueConstraint("product_id", "colour", "size"),)

    id = Column(Integer, primary_key=True)
    product_id = Column(ForeignKey("products.id"), nullable=False, index=True)
    colour = Column(String(30), nullable=False)
    size = Column(String(10), nullable=False)
    stock = Column(Integer, nullable=False, default=0)

    product = relationship("Product", back_populates="variants")


class Order(Base):
    __tablename__ = "orders"

    id = Column(Integer, primary_key=True)
    number = Column(String(12), nullable=False, unique=True, index=True)
    customer_id = Column(ForeignKey("customers.id"), nullable=False, index=True)
    status = Column(_enum(OrderStatus), nullable=False)
    created_at = Column(DateTime, nullable=False)
    updated_at = Column(DateTime, nullable=False)
    ship_name = Column(String(160), nullable=False)
    ship_line1 = Column(String(200), nullable=False)
    ship_line2 = Column(String(200))
    ship_city = Column(String(100), nullable=False)
    ship_postcode = Column(String(20), nullable=False)
    ship_country = Column(String(2), nullable=False)
    shipping_option = Column(String(30), nullable=False)
    shipping_cost = Column(Money, nullable=False)
    total = Column(Money, nullable=False)

    customer = relationship("Customer", back_populates="orders")
    lines = relationship("OrderLine", back_populates="order", order_by="OrderLine.id")
    payments = relationship("Payment", back_populates="order", order_by="Payment.id")
    shipments = relationship("Shipment", back_populates="order", order_by="Shipment.id")
    returns = relationship("ReturnRequest", back_populates="order", order_by="ReturnRequest.id")
    refunds = relationship("Refund", back_populates="order", order_by="Refund.id")


class OrderLine(Base):
    __tablename__ = "order_lines"

    id = Column(Integer, primary_key=True)
    order_id = Column(ForeignKey("orders.id"), nullable=False, index=True)
    product_id = Column(ForeignKey("products.id"), nullable=False, index=True)
    variant_id = Column(ForeignKey("product_variants.id"))
    quantity = Column(Integer, nullable=False)
    unit_price = Column(Money, nullable=False)

    order = relationship("Order", back_populates="lines")
    product = relationship("Product")
    variant = relationship("ProductVariant")

    @property
    def amount(self) -> Decimal:
        return Decimal(self.unit_price) * self.quantity


class Payment(Base):
    __tablename__ = "payments"

    id = Column(Integer, primary_key=True)
    order_id = Column(ForeignKey("orders.id"), nullable=False, index=True)
    method = Column(String(30), nullable=False)
    status = Column(_enum(PaymentStatus), nullable=False)
    amount = Column(Money, nullable=False)
    card_brand = Column(String(20))
    card_last4 = Column(String(4))
    created_at = Column(DateTime, nullable=False)

    order = relationship("Order", back_populates="payments")


class Shipment(Base):
    __tablename__ = "shipments"

    id = Column(Integer, primary_key=True)
    order_id = Column(ForeignKey("orders.id"), nullable=False, index=True)
    carrier = Column(String(40), nullable=False)
    tracking_number = Column(String(40), nullable=False)
    shipped_at = Column(DateTime, nullable=False)
    estimated_delivery = Column(DateTime, nullable=False)
    delivered_at = Column(DateTime)

    order = relationship("Order", back_populates="shipments")
    events = relationship("ShipmentEvent", back_populates="shipment", order_by="ShipmentEvent.at")


class ShipmentEvent(Base):
    __tablename__ = "shipment_events"

    id = Column(Integer, primary_key=True)
    shipment_id = Column(ForeignKey("shipments.id"), nullable=False, index=True)
    at = Column(DateTime, nullable=False)
    status = Column(String(30), nullable=False)
    location = Column(String(100), nullable=False)
    description = Column(String(200), nullable=False)

    shipment = relationship("Shipment", back_populates="events")


class ReturnRequest(Base):
    __tablename__ = "returns"

    id = Column(Integer, primary_key=True)
    order_id = Column(ForeignKey("orders.id"), nullable=False, index=True)
    status = Column(_enum(ReturnStatus), nullable=False)
    reason = Column(String(500), nullable=False)
    refund_method = Column(String(30), nullable=False)
    created_at = Column(DateTime, nullable=False)

    order = relationship("Order", back_populates="returns")
    lines = relationship("ReturnLine", back_populates="return_request", order_by="ReturnLine.id")
    refund = relationship("Refund", back_populates="return_request", uselist=False)


class ReturnLine(Base):
    __tablename__ = "return_lines"

    id = Column(Integer, primary_key=True)
    return_id = Column(ForeignKey("returns.id"), nullable=False, index=True)
    order_line_id = Column(ForeignKey("order_lines.id"), nullable=False)
    quantity = Column(Integer, nullable=False)

    return_request = relationship("ReturnRequest", back_populates="lines")
    order_line = relationship("OrderLine")


class Refund(Base):
    __tablename__ = "refunds"

    id = Column(Integer, primary_key=True)
    order_id = Column(ForeignKey("orders.id"), nullable=False, index=True)
    return_id = Column(ForeignKey("returns.id"))
    amount = Column(Money, nullable=False)
    method = Column(String(30), nullable=False)
    status = Column(_enum(RefundStatus), nullable=False)
    created_at = Column(DateTime, nullable=False)
    completed_at = Column(DateTime)

    order = relationship("Order", back_populates="refunds")
    return_request = relationship("ReturnRequest", back_populates="refund")


class SupportCase(Base):
    __tablename__ = "support_cases"

    id = Column(Integer, primary_key=True)
    kind = Column(_enum(CaseKind), nullable=False, index=True)
    status = Column(String(20), nullable=False, default="open")
    customer_id = Column(ForeignKey("customers.id"))
    order_id = Column(ForeignKey("orders.id"))
    conversation_id = Column(String(100), nullable=False)
    summary = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False)
    transcript = Column(Text)
    """The conversation up to the case, when the case stands in for a person (no one on duty)."""
    reply_email = Column(String(254))
    """Where the shopper asked to be answered by e-mail."""


class NluReview(Base):
    """A shopper message the intent classifier was unsure about, waiting to be labelled."""

    __tablename__ = "nlu_review"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(100), nullable=False, index=True)
    text = Column(Text, nullable=False)
    predicted_intent = Column(String(80))
    confidence = Column(Numeric(6, 5), nullable=False)
    ranking = Column(JSON, nullable=False, default=list)
    created_at = Column(DateTime, nullable=False)
    exported_at = Column(DateTime)


class Policy(Base):
    """A store policy: a shopper-facing text plus the parameters the assistant reasons with."""

    __tablename__ = "policies"

    topic = Column(String(40), primary_key=True)
    title = Column(String(120), nullable=False)
    text = Column(Text, nullable=False)
    params = Column(JSON, nullable=False, default=dict)


class ShippingOption(Base):
    __tablename__ = "shipping_options"

    code = Column(String(30), primary_key=True)
    name = Column(String(80), nullable=False)
    cost = Column(Money, nullable=False)
    free_over = Column(Money)
    min_days = Column(Integer, nullable=False)
    max_days = Column(Integer, nullable=False)
    countries = Column(JSON, nullable=False, default=list)


class PaymentMethod(Base):
    __tablename__ = "payment_methods"

    code = Column(String(30), primary_key=True)
    name = Column(String(80), nullable=False)
    notes = Column(String(200), nullable=False, default="")
    enabled = Column(Boolean, nullable=False, default=True)


class TicketState(str, enum.Enum):
    WAITING = "waiting"
    ASSIGNED = "assigned"
    CLOSED = "closed"


class Agent(Base):
    """A person on the store's team who answers shoppers from the agent console."""

    __tablename__ = "agents"

    id = Column(Integer, primary_key=True)
    username = Column(String(60), nullable=False, unique=True)
    display_name = Column(String(80), nullable=False)
    password_hash = Column(String(300), nullable=False)
    on_duty = Column(Boolean, nullable=False, default=False)
    created_at = Column(DateTime, nullable=False)


class AgentSession(Base):
    """A signed-in agent's session; only a hash of its token is stored."""

    __tablename__ = "agent_sessions"

    id = Column(Integer, primary_key=True)
    agent_id = Column(ForeignKey("agents.id"), nullable=False, index=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    created_at = Column(DateTime, nullable=False)
    expires_at = Column(DateTime, nullable=False)

    agent = relationship("Agent")


class HandoffTicket(Base):
    """A conversation handed to a person: who, why, how frustrated, and where it stands."""

    __tablename__ = "handoff_tickets"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(100), nullable=False, index=True)
    customer_id = Column(ForeignKey("customers.id"))
    reason = Column(String(200), nullable=False)
    frustration = Column(JSON, nullable=False, default=list)
    state = Column(_enum(TicketState), nullable=False, index=True)
    agent_id = Column(ForeignKey("agents.id"))
    created_at = Column(DateTime, nullable=False)
    assigned_at = Column(DateTime)
    closed_at = Column(DateTime)
    rating = Column(Integer)
    rated_at = Column(DateTime)

    agent = relationship("Agent")
    messages = relationship("TicketMessage", back_populates="ticket", order_by="TicketMessage.id")


class TicketMessage(Base):
    """One line of a ticket's transcript: the shopper, the assistant, an agent or the system."""

    __tablename__ = "ticket_messages"
    __table_args__ = (UniqueConstraint("ticket_id", "message_id", name="uq_ticket_message_id"),)

    id = Column(Integer, primary_key=True)
    ticket_id = Column(ForeignKey("handoff_tickets.id"), nullable=False, index=True)
    author = Column(String(20), nullable=False)
    text = Column(Text, nullable=False)
    sentiment = Column(JSON)
    created_at = Column(DateTime, nullable=False)
    message_id = Column(String(64))
    """Rasa's id of a shopper message, so the same message is never kept twice."""

    ticket = relationship("HandoffTicket", back_populates="messages")


class ThrottleEvent(Base):
    """One counted attempt (a failed verification, a ticket opened, an agent sign-in failed).

    Counted per scope and key in sliding windows (bot/store/throttle.py); the key is a keyed hash
    of the e-mail, order number, client address or username, never the value itself.
    """

    __tablename__ = "throttle_events"

    id = Column(Integer, primary_key=True)
    scope = Column(String(30), nullable=False)
    key_hash = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False, index=True)
    throttled = Column(Boolean, nullable=False, default=False)

    __table_args__ = (Index("ix_throttle_events_scope_key", "scope", "key_hash", "created_at"),)
    """Whether this attempt was refused because its key was already over the limit."""


class ConsoleAudit(Base):
    """Who did what in the agent console: every ticket opened, taken, answered or closed."""

    __tablename__ = "console_audit"

    id = Column(Integer, primary_key=True)
    agent_id = Column(ForeignKey("agents.id"), index=True)
    action = Column(String(40), nullable=False)
    ticket_id = Column(Integer, index=True)
    detail = Column(String(200), nullable=False, default="")
    created_at = Column(DateTime, nullable=False, index=True)
