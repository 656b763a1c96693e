"""Turn an order into the words a shopper reads; personal data masked."""

from __future__ import annotations

from decimal import Decimal

from actions.masking import mask_card, mask_email, mask_street
from bot.store.models import Order, OrderStatus

STATUS_WORDS = {
    OrderStatus.PENDING: "received and waiting for payment",
    OrderStatus.PAID: "paid and being prepared in our warehouse",
    OrderStatus.SHIPPED: "shipped",
    OrderStatus.IN_TRANSIT: "on its way",
    OrderStatus.DELIVERED: "delivered",
    OrderStatus.CANCELLED: "cancelled",
    OrderStatus.RETURN_REQUESTED: "delivered, with a return in progress",
    OrderStatus.RETURNED: "returned to us; the refund is being processed",
    OrderStatus.REFUNDED: "returned and refunded",
}


def money(amount: Decimal | float) -> str:
    return f"€{Decimal(amount):.2f}"


def items_text(order: Order) -> str:
    return ", ".join(
        f"{line.quantity} × {line.product.title}"
        + (f" ({line.variant.colour}, {line.variant.size})" if line.variant else "")
        for line in order.lines
    )


def order_line_summary(order: Order) -> str:
    """One line: number, date, state, total."""
    return (
        f"Order {order.number} from {order.created_at:%d %b %Y}: "
        f"{STATUS_WORDS[order.status]}, {money(order.total)}"
    )


def order_details(order: Order) -> str:
    """Everything a shopper wants to know about where an order is."""
    parts = [
        f"Order {order.number} (placed {order.created_at:%d %b %Y}) is "
        f"{STATUS_WORDS[order.status]}.",
        f"Items: {items_text(order)}. Total {money(order.total)}.",
    ]
    if order.shipments:
        shipment = order.shipments[-1]
        parts.append(f"Carrier: {shipment.carrier}, tracking number {shipment.tracking_number}.")
        for event in shipment.events[-3:][::-1]:
            parts.append(f"- {event.at:%d %b %H:%M} {event.description} ({event.location})")
        if shipment.delivered_at:
            parts.append(f"Delivered on {shipment.delivered_at:%d %b %Y}.")
        else:
            parts.append(f"Estimated delivery: {shipment.estimated_delivery:%A %d %b}.")
    elif order.status in (OrderStatus.PENDING, OrderStatus.PAID):
        parts.append(
            f"It will go to {mask_street(order.ship_line1)}, {order.ship_city} by "
            f"{order.shipping_option} delivery once it leaves the warehouse."
        )
    if order.payments:
        payment = order.payments[-1]
        paid_with = (
            mask_card(payment.card_brand, payment.card_last4)
            if payment.method == "card"
            else payment.method.replace("_", " ")
        )
        parts.append(f"Payment: {paid_with} ({payment.status.value}).")
    parts.append(f"We send updates on this order to {mask_email(order.customer.email)}.")
    return "\n".join(parts)
