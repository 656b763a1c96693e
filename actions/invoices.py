"""Invoices: a general question gets the store's invoice policy; one about an order is proved
first and answered for that order."""

from __future__ import annotations

import re

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.base import StoreAction, reset
from actions.identity import Identity
from actions.info import policy_text
from actions.masking import mask_email
from actions.orders import QuestionForm, visible_order
from actions.replies import NOT_IN_ACCOUNT
from actions.store_access import in_store
from actions.verification import FOCUS_SLOT, in_focus, normalise_order_number
from bot.store.models import Order

AN_ORDER = re.compile(
    r"\b(my|that|this|the|our)\s+(last\s+|latest\s+|recent\s+)?(order|purchase)\b|\bfor it\b",
    re.IGNORECASE,
)
"""Words that make an invoice question about one order ("for that order", "for my purchase")."""


def about_an_order(tracker: Tracker) -> bool:
    """Whether the invoice question names an order, points at one, or one is in focus and proved."""
    text = str((tracker.latest_message or {}).get("text") or "")
    named = normalise_order_number(tracker.get_slot("order_number")) is not None
    return named or bool(AN_ORDER.search(text)) or bool(tracker.get_slot(FOCUS_SLOT))


def invoice_text(order: Order) -> str:
    """Where the invoice of one order is, or when it will come."""
    where = "You can also download it any time from 'My orders' in your account."
    if not order.shipments:
        return (
            f"The invoice with VAT for order {order.number} is e-mailed to "
            f"{mask_email(order.customer.email)} as soon as the order ships. {where}"
        )
    shipped = order.shipments[0].shipped_at
    return (
        f"The invoice with VAT for order {order.number} was e-mailed to "
        f"{mask_email(order.customer.email)} when it shipped on {shipped:%d %b %Y}. {where}"
    )


class ValidateInvoiceForm(QuestionForm):
    """An invoice question about one order proves the order first; a general one does not."""

    def name(self) -> str:
        return "validate_invoice_form"

    def asks_in_general(self, tracker: Tracker) -> bool:
        return not about_an_order(tracker)


class ActionInvoice(StoreAction):
    def name(self) -> str:
        return "action_invoice"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, identity: Identity
    ) -> list[EventType]:
        number = normalise_order_number(tracker.get_slot("order_number"))

        def answer(session: Session) -> tuple[str, str | None]:
            if not number:
                return policy_text(session, "invoices"), None
            order = visible_order(session, identity, number)
            if order is None:
                return NOT_IN_ACCOUNT, None
            return invoice_text(order), order.number

        text, shown = await in_store(answer)
        dispatcher.utter_message(text=text)
        return reset("order_number", "email") + in_focus(shown)
