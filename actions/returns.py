"""Returns: pick items, reason and refund method, confirm, create; refund status later."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.base import StoreAction, as_text, reset
from actions.identity import Identity, identity_of
from actions.order_text import money
from actions.orders import QuestionForm, visible_order
from actions.ordinals import nth
from actions.replies import NOT_IN_ACCOUNT, say_unavailable
from actions.store_access import in_store
from actions.verification import VerifiedOrderForm, in_focus, normalise_order_number
from bot.store.models import Order, OrderLine, RefundStatus
from bot.store.off_loop import StoreUnavailable
from bot.store.orders import orders_of_customer
from bot.store.policies import return_window_days
from bot.store.returns import (
    ReturnNotAllowed,
    create_return,
    latest_refund,
    return_eligibility,
    returnable_lines,
)

ALL_ITEMS = "all"
REFUND_WORDS = {
    "store_credit": ("credit", "voucher", "gift card", "store"),
    "original_payment": ("original", "card", "paypal", "payment", "money back", "account", "bank"),
}
REFUND_TIMING = (
    "Once a return reaches our warehouse we refund it within 5 working days, to your original "
    "payment method (card, PayPal, Klarna) or as store credit, whichever you chose; your bank "
    "can take another 3–5 days to show it."
)
REASON = re.compile(
    r"\b(too (small|big|large|tight|loose|short|long)|(doesn'?t|does not|didn'?t|did not) fit"
    r"|damaged|broken|faulty|defective|wrong (size|item|colou?r)|not as described"
    r"|(don'?t|do not) like)\b",
    re.IGNORECASE,
)
FIRST_PERSON = re.compile(r"\b(my|mine|me|i|i'?ve|i'?m|we|our|us)\b", re.IGNORECASE)
REFUND_NAMES = {"original_payment": "your original payment method", "store_credit": "store credit"}
WHY_NOT = {
    "not_delivered": "Order {number} hasn't been delivered yet, so it can't be returned. If you "
    "no longer want it and it hasn't shipped, I can cancel it instead.",
    "window_closed": "Order {number} was delivered more than {days} days ago, so it's outside our "
    "{days}-day return window. If an item is faulty it may still be covered by the warranty; a "
    "person from our team can look at it with you.",
    "nothing_left": "Every item of order {number} is already in a return.",
}


def choose_lines(text: str, lines: list[OrderLine]) -> list[OrderLine]:
    """Which returnable lines the shopper means: 'all', a line id from a button, or a product."""
    lowered = text.lower()
    if lowered in (ALL_ITEMS, "everything", "all of them", "both", "all items"):
        return lines
    if lowered.isdigit():
        return [line for line in lines if str(line.id) == lowered]
    pointed = nth(lowered, lines)
    if pointed is not None:
        return [pointed]
    words = set(re.findall(r"[a-z]{3,}", lowered))
    return [line for line in lines if words & set(line.product.title.lower().split())]


class ValidateReturnForm(VerifiedOrderForm):
    def name(self) -> str:
        return "validate_return_form"

    def blocked(self, order: Order, session: Session, now: datetime) -> bool:
        days = return_window_days(session)
        return not return_eligibility(order, window_days=days, now=now).allowed

    async def extract_return_reason(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """'The first item, it's too small': a reason given with the item is kept."""
        if tracker.get_slot("requested_slot") != "return_item":
            return {}
        reason = REASON.search(str(tracker.latest_message.get("text") or ""))
        return {"return_reason": reason.group(0)} if reason else {}

    async def validate_return_item(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        identity = identity_of(tracker)
        number = normalise_order_number(tracker.get_slot("order_number"))

        def pick(session: Session) -> list[str]:
            order = visible_order(session, identity, number)
            lines = returnable_lines(order) if order else []
            return [str(line.id) for line in choose_lines(as_text(value), lines)]

        try:
            chosen = await in_store(pick)
        except StoreUnavailable:
            say_unavailable(dispatcher)
            return {"return_item": None}
        if not chosen:
            dispatcher.utter_message(
                text="Sorry, I couldn't tell which item you mean. Please pick one of the buttons."
            )
            return {"return_item": None}
        return {"return_item": ",".join(chosen)}

    def validate_return_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        reason = as_text(value)
        if len(reason) < 2:
            dispatcher.utter_message(text="Could you tell me a bit more about why?")
            return {"return_reason": None}
        return {"return_reason": reason[:500]}

    def validate_refund_method(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = as_text(value).lower()
        for method, words in REFUND_WORDS.items():
            if text == method or any(w in text for w in words):
                return {"refund_method": method}
        dispatcher.utter_message(
            text="Please choose: back to your original payment method, or store credit."
        )
        return {"refund_method": None}


class ActionAskReturnItem(Action):
    def name(self) -> str:
        return "action_ask_return_item"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        identity = identity_of(tracker)
        number = normalise_order_number(tracker.get_slot("order_number"))

        def buttons(session: Session) -> list[dict[str, str]]:
            order = visible_order(session, identity, number)
            lines = returnable_lines(order) if order else []
            choices = [
                {
                    "title": f"{line.product.title} ({money(line.amount)})",
                    "payload": f'/inform{{"return_item":"{line.id}"}}',
                }
                for line in lines
            ]
            if len(lines) > 1:
                choices.append(
                    {"title": "All of them", "payload": f'/inform{{"return_item":"{ALL_ITEMS}"}}'}
                )
            return choices

        try:
            choices = await in_store(buttons)
        except StoreUnavailable:
            say_unavailable(dispatcher)
            return []
        dispatcher.utter_message(
            text=f"Which item from order {number} would you like to return?", buttons=choices
        )
        return []


class ActionReturnOrder(StoreAction):
    needs_verified_order = True

    def name(self) -> str:
        return "action_return_order"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, identity: Identity
    ) -> list[EventType]:
        number = normalise_order_number(tracker.get_slot("order_number"))
        confirmed = tracker.get_slot("confirm") is True
        line_ids = [int(i) for i in as_text(tracker.get_slot("return_item")).split(",") if i]
        reason = as_text(tracker.get_slot("return_reason"))
        method = as_text(tracker.get_slot("refund_method"))

        def submit(session: Session) -> str:
            order = visible_order(session, identity, number)
            if order is None:
                return NOT_IN_ACCOUNT
            days = return_window_days(session)
            now = datetime.utcnow()
            eligibility = return_eligibility(order, window_days=days, now=now)
            if not eligibility.allowed:
                return WHY_NOT[eligibility.reason].format(number=order.number, days=days)
            if not confirmed:
                return "Okay, I haven't created a return. Your order is unchanged."
            try:
                request = create_return(
                    session,
                    order=order,
                    line_ids=line_ids,
                    reason=reason,
                    refund_method=method,
                    window_days=days,
                    now=now,
                )
            except ReturnNotAllowed:
                return "Sorry, I couldn't create that return. Please start again."
            titles = ", ".join(rl.order_line.product.title for rl in request.lines)
            return (
                f"Your return for order {order.number} is registered (return #{request.id}): "
                f"{titles}. We've e-mailed you a free return label; please send the items back "
                f"by {eligibility.deadline:%d %b %Y}. Once they arrive, the refund goes to "
                f"{REFUND_NAMES[method]} within 5 working days."
            )

        dispatcher.utter_message(text=await in_store(submit))
        return reset(
            "order_number",
            "return_item",
            "return_reason",
            "refund_method",
            "confirm",
            "order_blocked",
        ) + in_focus(number)


def asks_in_general(tracker: Tracker) -> bool:
    """'How long do refunds take?': no order named and nothing said about the shopper's own."""
    message = tracker.latest_message or {}
    names_order = any(e.get("entity") == "order_number" for e in message.get("entities") or [])
    return not names_order and not FIRST_PERSON.search(str(message.get("text") or ""))


class ValidateRefundForm(QuestionForm):
    """A question about the shopper's own refund proves the order first; a general one does not."""

    def name(self) -> str:
        return "validate_refund_form"

    def asks_in_general(self, tracker: Tracker) -> bool:
        return asks_in_general(tracker)


class ActionRefundStatus(StoreAction):
    def name(self) -> str:
        return "action_refund_status"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, identity: Identity
    ) -> list[EventType]:
        number = normalise_order_number(tracker.get_slot("order_number"))
        if not number and (asks_in_general(tracker) or not identity.logged_in):
            dispatcher.utter_message(text=REFUND_TIMING)
            return reset("order_number", "email")

        def status(session: Session) -> str:
            candidates = [number] if number else sorted(identity.verified_orders)
            orders = [o for n in candidates if (o := visible_order(session, identity, n))]
            if not orders and identity.logged_in:
                orders = [
                    o
                    for o in orders_of_customer(session, customer_id=identity.customer_id or 0)
                    if o.refunds or o.returns
                ]
            if not orders:
                return f"I don't see a return or refund on your orders. {REFUND_TIMING}"
            order = orders[0]
            refund = latest_refund(order)
            if refund is None:
                if order.returns:
                    return (
                        f"Your return for order {order.number} is registered; we'll refund "
                        f"you as soon as the items arrive at our warehouse. {REFUND_TIMING}"
                    )
                return f"There's no return or refund on order {order.number}. {REFUND_TIMING}"
            where = REFUND_NAMES.get(refund.method, refund.method)
            if refund.status == RefundStatus.COMPLETED and refund.completed_at:
                return (
                    f"We refunded {money(refund.amount)} for order {order.number} to {where} "
                    f"on {refund.completed_at:%d %b %Y}. Banks can take 3–5 days to show it."
                )
            return (
                f"Your refund of {money(refund.amount)} for order {order.number} is being "
                f"processed and will reach {where} within 5 working days."
            )

        dispatcher.utter_message(text=await in_store(status))
        return reset("order_number", "email") + in_focus(number)
