"""Changing the delivery address of an order that has not shipped."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.base import StoreAction, as_text, reset
from actions.identity import Identity
from actions.masking import mask_street
from actions.orders import visible_order
from actions.replies import NOT_IN_ACCOUNT
from actions.store_access import in_store
from actions.verification import VerifiedOrderForm, in_focus, normalise_order_number
from bot.store.models import Order
from bot.store.orders import CHANGEABLE, NewAddress, OrderNotChangeable, change_shipping_address

STREET = re.compile(r"^(?=.*\d)(?=.*[A-Za-zÀ-ÿ]{2})[\w .,'/-]{4,120}$")
POSTCODE = re.compile(r"^[A-Za-z0-9 -]{3,10}$")
CITY = re.compile(r"^[A-Za-zÀ-ÿ .'-]{2,80}$")
STREET_IN_TEXT = re.compile(r"\b([A-ZÀ-Þ][\wÀ-ÿ.-]+(?: [A-ZÀ-Þ][\wÀ-ÿ.-]+)? \d{1,4}[a-z]?)\b")
POSTCODE_IN_TEXT = re.compile(r"\b(?:post ?code|zip(?: code)?)\D{0,12}(\d{4,5})\b", re.IGNORECASE)


WHOLE_ADDRESS = re.compile(
    r"([A-ZÀ-Þ][\wÀ-ÿ.-]+(?: [A-ZÀ-Þ][\wÀ-ÿ.-]+)? \d{1,4}[a-z]?),?\s+(\d{4,5})\s+"
    r"([A-ZÀ-Þ][\wÀ-ÿ.-]+(?:[ -][A-ZÀ-Þ][\wÀ-ÿ.-]+)?)"
)


def whole_address(text: str) -> dict[str, str]:
    """Street, postcode and town given in one go ("Lindenstrasse 14, 37073 Goettingen")."""
    match = WHOLE_ADDRESS.search(text)
    if match is None:
        return {}
    return dict(zip(("new_street", "new_postcode", "new_city"), match.groups(), strict=True))


def corrected_address(text: str) -> dict[str, str]:
    """A street or postcode the shopper corrects at the confirmation ("no, it's Lindenweg 3")."""
    corrected = {}
    if street := STREET_IN_TEXT.search(text):
        corrected["new_street"] = street.group(1)
    if postcode := POSTCODE_IN_TEXT.search(text):
        corrected["new_postcode"] = postcode.group(1)
    return corrected


def _checked(slot: str, pattern: re.Pattern[str], problem: str):  # type: ignore[no-untyped-def]
    """A validate_<slot> method that accepts text matching `pattern`."""

    def validate(
        self: Any,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        text = as_text(value)
        if pattern.match(text):
            return {slot: text}
        dispatcher.utter_message(text=problem)
        return {slot: None}

    return validate


class ValidateAddressForm(VerifiedOrderForm):
    def name(self) -> str:
        return "validate_address_form"

    def blocked(self, order: Order, session: Session, now: datetime) -> bool:
        return order.status not in CHANGEABLE

    async def extract_new_street(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A whole address in one message fills the street, the postcode and the town."""
        if tracker.get_slot("requested_slot") not in (None, "new_street"):
            return {}
        return whole_address(str(tracker.latest_message.get("text") or ""))

    async def extract_confirm(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A corrected street or postcode replaces the old one and is confirmed afresh."""
        if tracker.get_slot("requested_slot") != "confirm":
            return {}
        corrected = corrected_address(str(tracker.latest_message.get("text") or ""))
        if corrected:
            return {**corrected, "confirm": None}
        return await super().extract_confirm(dispatcher, tracker, domain)

    validate_new_street = _checked(
        "new_street",
        STREET,
        "Please give the street with the house number, like '12 Linden Street'.",
    )
    validate_new_postcode = _checked(
        "new_postcode", POSTCODE, "That doesn't look like a postcode. Could you check it?"
    )
    validate_new_city = _checked("new_city", CITY, "Please give just the name of the town or city.")


class ActionChangeAddress(StoreAction):
    needs_verified_order = True

    def name(self) -> str:
        return "action_change_address"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, identity: Identity
    ) -> list[EventType]:
        number = normalise_order_number(tracker.get_slot("order_number"))
        confirmed = tracker.get_slot("confirm") is True
        street, postcode, city = (
            as_text(tracker.get_slot(s)) for s in ("new_street", "new_postcode", "new_city")
        )

        def change(session: Session) -> str:
            order = visible_order(session, identity, number)
            if order is None:
                return NOT_IN_ACCOUNT
            if order.status not in CHANGEABLE:
                return (
                    f"Order {order.number} has already shipped, so I can't change its "
                    f"address or cancel it any more. The carrier's tracking page lets you pick "
                    f"another delivery day or a pick-up point, and you can return it once it "
                    f"arrives."
                )
            if not confirmed:
                return "Okay, the delivery address stays as it was."
            address = NewAddress(
                name=order.ship_name,
                line1=street,
                postcode=postcode,
                city=city,
                country=order.ship_country,
            )
            try:
                change_shipping_address(
                    session, order=order, address=address, now=datetime.utcnow()
                )
            except OrderNotChangeable:
                return f"Order {order.number} has just shipped, so its address can't change."
            return (
                f"Done: the delivery address of order {order.number} is now "
                f"{mask_street(street)}, {postcode} {city}."
            )

        dispatcher.utter_message(text=await in_store(change))
        return reset(
            "order_number", "new_street", "new_postcode", "new_city", "confirm", "order_blocked"
        ) + in_focus(number)
