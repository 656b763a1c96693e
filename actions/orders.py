"""Order status, the shopper's orders, and cancelling before shipment."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.base import StoreAction, reset
from actions.identity import Identity, identity_of
from actions.order_text import items_text, money, order_details, order_line_summary
from actions.product_cards import Card, product_card, show_products
from actions.product_focus import searched, shown
from actions.replies import NOT_IN_ACCOUNT, say_unavailable
from actions.store_access import in_store
from actions.verification import (
    FOCUS_SLOT,
    VerifiedOrderForm,
    in_focus,
    normalise_order_number,
)
from bot.store.models import Order, OrderStatus
from bot.store.off_loop import StoreUnavailable
from bot.store.orders import (
    CHANGEABLE,
    OrderNotChangeable,
    cancel_order,
    find_order,
    orders_of_customer,
)
from bot.store.policies import return_window_days
from bot.store.returns import return_eligibility

OPEN = (OrderStatus.PENDING, OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.IN_TRANSIT)
GUEST_ORDERS_HINT = (
    "To see all your orders, please sign in on our website first. I can also look up one order "
    "if you give me its number and your e-mail address."
)


def visible_order(session: Session, identity: Identity, number: str | None) -> Order | None:
    """The order with this number if the shopper has proved it is theirs."""
    order = find_order(session, number=number) if number else None
    if order and identity.may_see(order_number=order.number, order_customer_id=order.customer_id):
        return order
    return None


def order_buttons(orders: list[Order], intent: str) -> list[dict[str, str]]:
    return [
        {"title": order_line_summary(o), "payload": f'/{intent}{{"order_number":"{o.number}"}}'}
        for o in orders
    ]


class ValidateOrderStatusForm(VerifiedOrderForm):
    def name(self) -> str:
        return "validate_order_status_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        # A signed-in shopper who names no order, with none in focus, sees their open orders.
        if (
            identity_of(tracker).logged_in
            and not tracker.get_slot("order_number")
            and not tracker.get_slot(FOCUS_SLOT)
        ):
            return []
        return await super().required_slots(domain_slots, dispatcher, tracker, domain)


class QuestionForm(ValidateOrderStatusForm):
    """A question about one of the shopper's orders proves the order first; a general one asks
    nothing (the form's action answers it in general)."""

    @abstractmethod
    def asks_in_general(self, tracker: Tracker) -> bool:
        """Whether the question the form starts on is about no order of the shopper's."""

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if tracker.get_slot("requested_slot") is None and self.asks_in_general(tracker):
            return []
        return await super().required_slots(domain_slots, dispatcher, tracker, domain)


class ValidateCancelForm(VerifiedOrderForm):
    def name(self) -> str:
        return "validate_cancel_form"

    def blocked(self, order: Order, session: Session, now: datetime) -> bool:
        return order.status not in CHANGEABLE


class ActionAskOrderNumber(Action):
    """Ask which order; a signed-in shopper picks from their orders."""

    FITS: ClassVar[dict[str, Callable[[Order, datetime, int], bool]]] = {
        "cancel_form": lambda o, now, days: o.status in CHANGEABLE,
        "address_form": lambda o, now, days: o.status in CHANGEABLE,
        "return_form": lambda o, now, days: (
            return_eligibility(o, window_days=days, now=now).allowed
        ),
    }
    INTENTS: ClassVar[dict[str, str]] = {
        "cancel_form": "cancel_order",
        "address_form": "change_address",
        "return_form": "return_item",
    }

    def name(self) -> str:
        return "action_ask_order_number"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        identity = identity_of(tracker)
        question = "What's your order number? It has 6 digits and is in your confirmation e-mail."
        if not identity.logged_in:
            dispatcher.utter_message(text=question)
            return []
        form = tracker.active_loop.get("name") or "order_status_form"
        fits = self.FITS.get(form, lambda o, now, days: True)
        now = datetime.utcnow()

        def candidates(session: Session) -> list[dict[str, str]]:
            days = return_window_days(session)
            orders = orders_of_customer(session, customer_id=identity.customer_id or 0)
            chosen = [o for o in orders if fits(o, now, days)][:5]
            return order_buttons(chosen, self.INTENTS.get(form, "order_status"))

        try:
            buttons = await in_store(candidates)
        except StoreUnavailable:
            say_unavailable(dispatcher)
            return []
        if buttons:
            dispatcher.utter_message(text="Which order is it? " + question, buttons=buttons)
        else:
            dispatcher.utter_message(
                text="I don't see an order in your account that this applies to. "
                "If it's an order you placed as a guest, what's its number?"
            )
        return []


class ActionOrderStatus(StoreAction):
    needs_verified_order = True

    def name(self) -> str:
        return "action_order_status"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, identity: Identity
    ) -> list[EventType]:
        number = normalise_order_number(tracker.get_slot("order_number"))

        def lookup(session: Session) -> tuple[dict[str, Any], str | None]:
            """The answer, and the order it showed (the conversation's focus from now on)."""
            if number:
                order = visible_order(session, identity, number)
                if order is None:
                    return {"text": NOT_IN_ACCOUNT}, None
                return {"text": order_details(order)}, order.number
            orders = orders_of_customer(session, customer_id=identity.customer_id or 0)
            open_orders = [o for o in orders if o.status in OPEN]
            if len(open_orders) == 1:
                return {"text": order_details(open_orders[0])}, open_orders[0].number
            if open_orders:
                return {
                    "text": "You have several orders on the way. Which one do you mean?",
                    "buttons": order_buttons(open_orders[:5], "order_status"),
                }, None
            if orders:
                return {
                    "text": "None of your orders is on its way right now. The latest one:\n"
                    + order_details(orders[0])
                }, orders[0].number
            return {"text": "I don't see any orders in your account yet."}, None

        answer, shown = await in_store(lookup)
        dispatcher.utter_message(**answer)
        return reset("order_number") + in_focus(shown)


def bought_cards(order: Order) -> list[Card]:
    """A card for each product in an order, at the price the shopper paid."""
    cards = []
    for line in order.lines:
        bought = f" ({line.variant.colour}, {line.variant.size})" if line.variant else ""
        card = product_card(line.product, f"you bought {line.quantity}{bought}")
        cards.append({**card, "price": money(line.unit_price)})
    return cards


def proved_orders(session: Session, identity: Identity) -> list[Order]:
    """The shopper's orders, newest first: their account's, or those a guest proved."""
    if identity.customer_id is not None:
        return orders_of_customer(session, customer_id=identity.customer_id, limit=10)
    found = (find_order(session, number=n) for n in sorted(identity.verified_orders))
    proved = [
        o
        for o in found
        if o and identity.may_see(order_number=o.number, order_customer_id=o.customer_id)
    ]
    return sorted(proved, key=lambda o: (o.created_at, o.id), reverse=True)


class ActionListOrders(StoreAction):
    """The shopper's recent orders, and the products of the last one as cards."""

    def name(self) -> str:
        return "action_list_orders"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, identity: Identity
    ) -> list[EventType]:
        if not identity.logged_in and not identity.verified_orders:
            dispatcher.utter_message(text=GUEST_ORDERS_HINT)
            return []

        def listing(session: Session) -> tuple[list[str], str, list[Card]]:
            orders = proved_orders(session, identity)
            if not orders:
                return [], "", []
            last = orders[0]
            intro = f"What you bought last time (order {last.number}, {last.created_at:%d %b %Y}):"
            return [order_line_summary(o) for o in orders], intro, bought_cards(last)

        lines, intro, cards = await in_store(listing)
        if not lines:
            dispatcher.utter_message(text="I don't see any orders in your account yet.")
            return []
        heading = "Your recent orders:" if identity.logged_in else "The orders you've shown me:"
        dispatcher.utter_message(text="\n".join([heading, *lines]))
        show_products(dispatcher, tracker, intro, cards)
        return shown(cards) + searched(None)


class ActionCancelOrder(StoreAction):
    needs_verified_order = True

    def name(self) -> str:
        return "action_cancel_order"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, identity: Identity
    ) -> list[EventType]:
        number = normalise_order_number(tracker.get_slot("order_number"))
        confirmed = tracker.get_slot("confirm") is True

        def cancel(session: Session) -> str:
            order = visible_order(session, identity, number)
            if order is None:
                return NOT_IN_ACCOUNT
            if confirmed is False and order.status in CHANGEABLE:
                return "Okay, I've left the order as it is."
            try:
                cancel_order(session, order=order, now=datetime.utcnow())
            except OrderNotChangeable:
                return (
                    f"Order {order.number} has already left our warehouse, so it can't be "
                    "cancelled any more. Once it arrives you can return it for free: just tell "
                    "me you'd like to return it."
                )
            return (
                f"Done: order {order.number} ({items_text(order)}) is cancelled. "
                f"{money(order.total)} will go back to your original payment method within "
                "3–5 working days."
            )

        dispatcher.utter_message(text=await in_store(cancel))
        return reset("order_number", "confirm", "order_blocked") + in_focus(number)
