"""Before any change: say exactly what will change and ask yes or no."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.base import YES_NO, as_text
from actions.identity import identity_of
from actions.order_text import items_text, money
from actions.orders import visible_order
from actions.replies import say_unavailable
from actions.returns import REFUND_NAMES
from actions.store_access import in_store
from actions.verification import normalise_order_number
from bot.store.off_loop import StoreUnavailable


def confirmation_question(session: Session, tracker: Tracker) -> str:
    form = tracker.active_loop.get("name")
    number = normalise_order_number(tracker.get_slot("order_number"))
    order = visible_order(session, identity_of(tracker), number)
    if order is None:
        return "Shall I go ahead?"
    if form == "cancel_form":
        return (
            f"Order {order.number}: {items_text(order)}, {money(order.total)}. Shall I cancel it?"
        )
    if form == "return_form":
        ids = set(as_text(tracker.get_slot("return_item")).split(","))
        titles = ", ".join(line.product.title for line in order.lines if str(line.id) in ids)
        method = REFUND_NAMES.get(as_text(tracker.get_slot("refund_method")), "")
        return (
            f"To confirm: return {titles} from order {order.number} because "
            f'"{as_text(tracker.get_slot("return_reason"))}", refunded to {method}. '
            "Shall I create the return?"
        )
    street, postcode, city = (
        as_text(tracker.get_slot(s)) for s in ("new_street", "new_postcode", "new_city")
    )
    return f"Change the delivery address of order {order.number} to {street}, {postcode} {city}?"


class ActionAskConfirm(Action):
    def name(self) -> str:
        return "action_ask_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            text = await in_store(lambda s: confirmation_question(s, tracker))
        except StoreUnavailable:
            say_unavailable(dispatcher)
            return []
        dispatcher.utter_message(text=text, buttons=YES_NO)
        return []
