"""Forms that act on one order ask for it and prove it is the shopper's before anything else."""

from __future__ import annotations

import re
from abc import abstractmethod
from datetime import datetime
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.identity import Identity, identity_of
from actions.ordinals import nth
from actions.replies import (
    BAD_EMAIL,
    BAD_ORDER_NUMBER,
    NOT_FOUND,
    NOT_IN_ACCOUNT,
    say_unavailable,
)
from actions.store_access import in_store
from bot.config import get_settings
from bot.store.models import Order
from bot.store.off_loop import StoreUnavailable
from bot.store.orders import find_guest_order, find_order
from bot.store.policies import store_email
from bot.store.throttle import count_attempt, over_limit, refused_keys, verification_keys

FOCUS_SLOT = "order_in_focus"
"""The order the conversation last showed or acted on (domain.yml)."""
ORDER_NUMBER = re.compile(r"(?<!\d)(1\d{5})(?!\d)")
EMAIL = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$")
YES = re.compile(
    r"^\W*(yes|yeah|yep|yup|ya|sure|ok|okay|alright|please do|go ahead|do it|confirm|correct"
    r"|right|that'?s (right|correct|fine)|sounds good|absolutely|definitely)\b",
    re.IGNORECASE,
)
NO = re.compile(
    r"^\W*(no|nope|nah|not now|don'?t|do not|never ?mind|forget it|leave it|wait|actually,? no"
    r"|actually,? leave|i'?ll keep)\b",
    re.IGNORECASE,
)


def _first(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "")


def normalise_order_number(value: Any) -> str | None:
    """The last real order number among the values, as the shopper's last word on it ("100270,
    no wait, it's 100237"); a postcode or "3-5 days" among them is none."""
    values = value if isinstance(value, list) else [value]
    matches = (ORDER_NUMBER.search(str(v or "")) for v in reversed(values))
    return next((m.group(1) for m in matches if m), None)


def yes_or_no(text: str) -> bool | None:
    """A confirmation's answer read from its first words ("yes, cancel it"), None when neither."""
    if YES.match(text):
        return True
    if NO.match(text):
        return False
    return None


def before_this_message(tracker: Tracker, slot: str) -> Any:
    """The slot's value before the shopper's latest message was read."""
    events = tracker.events
    latest_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=0)
    value = None
    for event in events[:latest_user]:
        if event.get("event") == "slot" and event.get("name") == slot:
            value = event.get("value")
    return value


def orders_in_focus(tracker: Tracker) -> list[str]:
    """The orders this conversation has shown or acted on, in the order they first came up."""
    numbers = (
        normalise_order_number(e.get("value"))
        for e in tracker.events
        if e.get("event") == "slot" and e.get("name") == FOCUS_SLOT
    )
    return list(dict.fromkeys(n for n in numbers if n))


def in_focus(number: str | None) -> list[EventType]:
    """Make `number` the conversation's order in focus (nothing when there is none)."""
    return [SlotSet(FOCUS_SLOT, number)] if number else []


def normalise_email(value: Any) -> str | None:
    email = _first(value).strip().strip(".,;<>").lower()
    return email if EMAIL.match(email) else None


class VerifiedOrderForm(FormValidationAction):
    """Validation shared by every form that acts on a single order."""

    @abstractmethod
    def name(self) -> str: ...

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if tracker.get_slot("verification_locked"):
            return []
        identity = identity_of(tracker)
        number = normalise_order_number(tracker.get_slot("order_number"))
        slots = domain_slots
        if identity.logged_in or (number and number in identity.verified_orders):
            slots = [s for s in slots if s != "email"]
        if tracker.get_slot("order_blocked"):
            slots = [s for s in slots if s in ("order_number", "email")]
        return slots

    def blocked(self, order: Order, session: Session, now: datetime) -> bool:
        """Whether the order's state rules out this form's change (the submit action says why)."""
        return False

    async def extract_order_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The message's last real order number (Rasa keeps the last number it reads, which may
        be a postcode). A task that names no order is about the order it points at ("the second
        one"), or else the order in focus, when the shopper may see it."""
        entities = tracker.latest_message.get("entities") or []
        named = normalise_order_number(
            [e.get("value") for e in entities if e.get("entity") == "order_number"]
        )
        if named:
            return {"order_number": named}
        said = normalise_order_number(tracker.get_slot("order_number"))
        if said or tracker.get_slot("requested_slot"):
            return {}  # only when the task starts: a failed proof never falls back to it
        identity = identity_of(tracker)
        shown = orders_in_focus(tracker)
        text = str(tracker.latest_message.get("text") or "")
        pointed = nth(text, shown) if len(shown) > 1 else None
        number = pointed or normalise_order_number(tracker.get_slot(FOCUS_SLOT))
        if number and (identity.logged_in or number in identity.verified_orders):
            return {"order_number": number}
        return {}

    async def extract_email(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A pasted order e-mail holds the store's own address too: the shopper's is the last
        other one (Rasa keeps the last address it reads)."""
        entities = tracker.latest_message.get("entities") or []
        found = [normalise_email(e.get("value")) for e in entities if e.get("entity") == "email"]
        addresses = [a for a in found if a]
        if len(set(addresses)) < 2:
            return {}
        try:
            own = await in_store(store_email)
        except StoreUnavailable:
            return {}
        theirs = [a for a in addresses if a != own]
        return {"email": theirs[-1]} if theirs and own in addresses else {}

    def _check(self, session: Session, identity: Identity, number: str) -> str:
        order = find_order(session, number=number)
        if order is None or not identity.may_see(
            order_number=order.number, order_customer_id=order.customer_id
        ):
            return "missing"
        return "blocked" if self.blocked(order, session, datetime.utcnow()) else "ok"

    async def extract_confirm(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """'Yes, cancel it' confirms the change it is asked about, whatever intent it reads as."""
        if tracker.get_slot("requested_slot") != "confirm":
            return {}
        answer = yes_or_no(str(tracker.latest_message.get("text") or ""))
        return {} if answer is None else {"confirm": answer}

    async def validate_order_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        number = normalise_order_number(value)
        if number is None and tracker.get_slot("requested_slot") not in (None, "order_number"):
            # A house number or a postcode given for another question is not an order number.
            return {"order_number": before_this_message(tracker, "order_number")}
        if number is None:
            dispatcher.utter_message(text=BAD_ORDER_NUMBER)
            return {"order_number": None}
        identity = identity_of(tracker)
        if not identity.logged_in and number not in identity.verified_orders:
            return {"order_number": number, "order_blocked": False}
        try:
            outcome = await in_store(lambda s: self._check(s, identity, number))
        except StoreUnavailable:
            say_unavailable(dispatcher)
            return {"order_number": None}
        if outcome == "missing":
            dispatcher.utter_message(text=NOT_IN_ACCOUNT)
            return {"order_number": None}
        return {
            "order_number": number,
            "order_blocked": outcome == "blocked",
        }

    async def validate_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        email = normalise_email(value)
        number = normalise_order_number(tracker.get_slot("order_number"))
        if email is None:
            dispatcher.utter_message(text=BAD_EMAIL)
            return {"email": None}
        if not number:
            return {"email": email}

        settings = get_settings()
        keys = verification_keys(
            settings.hashing_secret,
            email=email,
            order_number=number,
            client=identity_of(tracker).client or tracker.sender_id,
            attempts=settings.max_verification_attempts,
        )

        def check(session: Session) -> str:
            """The same work and the same answer for a wrong pair and a locked one.

            A locked attempt counts against the keys that locked it and the client, so a client
            that is locked out cannot lock the e-mails and orders it names on top.
            """
            now = datetime.utcnow()
            locked = over_limit(session, keys=keys, now=now)
            order = find_guest_order(session, number=number, email=email)
            if locked or order is None:
                counted = refused_keys(keys, locked) if locked else keys
                count_attempt(session, keys=counted, now=now, locked=locked)
                return "missing"
            return "blocked" if self.blocked(order, session, now) else "ok"

        try:
            outcome = await in_store(check)
        except StoreUnavailable:
            say_unavailable(dispatcher)
            return {"email": None}
        if outcome != "missing":
            verified = sorted(identity_of(tracker).verified_orders | {number})
            return {
                "email": email,
                "verified_orders": verified,
                "order_blocked": outcome == "blocked",
            }
        failures = int(tracker.get_slot("verification_failures") or 0) + 1
        dispatcher.utter_message(text=NOT_FOUND)
        return {  # the number stays: "sorry, wrong e-mail, it's ..." needs only the e-mail
            "email": None,
            "verification_failures": float(failures),
            "verification_locked": failures >= settings.max_verification_attempts,
        }
