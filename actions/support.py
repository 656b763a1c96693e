"""Support cases: payment problems, complaints, feedback, account requests."""

from __future__ import annotations

from datetime import datetime

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.base import StoreAction, reset
from actions.identity import Identity
from actions.store_access import in_store
from bot.config import get_settings
from bot.store.cases import open_case
from bot.store.customers import get_customer, set_newsletter
from bot.store.models import CaseKind
from bot.store.throttle import admit, requester_keys

FORM_SLOTS = (
    "order_number",
    "return_item",
    "return_reason",
    "refund_method",
    "new_street",
    "new_postcode",
    "new_city",
    "confirm",
    "order_blocked",
    "requested_slot",
)

CASE_OF_INTENT = {
    "payment_problem": CaseKind.PAYMENT_PROBLEM,
    "complaint": CaseKind.COMPLAINT,
    "feedback": CaseKind.FEEDBACK,
    "delete_account": CaseKind.ACCOUNT_DELETION,
    "update_account": CaseKind.ACCOUNT_CHANGE,
}
CASE_REPLY = {
    CaseKind.PAYMENT_PROBLEM: "I'm sorry about the trouble with your payment. I've opened case "
    "#{case} for our payments team; they'll check it and e-mail you within one working day. "
    "If you were charged twice, the extra charge is refunded in full.",
    CaseKind.COMPLAINT: "I'm really sorry to hear that. I've recorded your complaint as case "
    "#{case}, and a member of our customer care team will get back to you personally.",
    CaseKind.FEEDBACK: "Thank you for the feedback! I've passed it on to the team (#{case}).",
    CaseKind.ACCOUNT_DELETION: "I've recorded your request to delete your account (#{case}). "
    "We'll confirm by e-mail within 30 days, as data-protection law requires.",
    CaseKind.ACCOUNT_CHANGE: "I've noted your request (#{case}). You can also change your name, "
    "e-mail and phone number yourself under Account > Profile.",
}
TOO_MANY_CASES = (
    "I've recorded several requests from you in a short while, and our team has them. Please "
    "give them a little time; I'm still here for anything else in the meantime."
)
SIGN_IN_FIRST = (
    "For your security I can only do that for a signed-in shopper. Please sign in "
    "on our website and ask me again."
)


def latest_intent(tracker: Tracker) -> str:
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


async def record_case(
    dispatcher: CollectingDispatcher, tracker: Tracker, identity: Identity, kind: CaseKind
) -> None:
    """Record the shopper's latest words as a case of `kind` and tell them what happens next."""
    if kind in (CaseKind.ACCOUNT_DELETION, CaseKind.ACCOUNT_CHANGE) and not identity.logged_in:
        dispatcher.utter_message(text=SIGN_IN_FIRST)
        return
    text = tracker.latest_message.get("text") or ""
    limits = requester_keys(
        get_settings().hashing_secret,
        kind="case",
        client=identity.client or tracker.sender_id,
        conversation_id=tracker.sender_id,
        per_client=5,
        per_conversation=3,
    )

    def record(session: Session) -> int | None:
        now = datetime.utcnow()
        if not admit(session, keys=limits, now=now):
            return None
        case = open_case(
            session,
            kind=kind,
            conversation_id=tracker.sender_id,
            summary=text,
            now=now,
            customer_id=identity.customer_id,
        )
        return int(case.id)

    case_id = await in_store(record)
    if case_id is None:
        dispatcher.utter_message(text=TOO_MANY_CASES)
        return
    dispatcher.utter_message(text=CASE_REPLY[kind].format(case=case_id))


class ActionOpenCase(StoreAction):
    """Records what the shopper said as a support case and tells them what happens next."""

    def name(self) -> str:
        return "action_open_case"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, identity: Identity
    ) -> list[EventType]:
        kind = CASE_OF_INTENT.get(latest_intent(tracker), CaseKind.FEEDBACK)
        await record_case(dispatcher, tracker, identity, kind)
        return []


class ActionNewsletter(StoreAction):
    def name(self) -> str:
        return "action_newsletter"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, identity: Identity
    ) -> list[EventType]:
        subscribe = latest_intent(tracker) == "newsletter_subscribe"
        if not identity.logged_in:
            dispatcher.utter_message(
                text="You can sign up at the bottom of any page of our shop."
                if subscribe
                else "Every newsletter has an 'unsubscribe' link at the bottom; one click is "
                "enough. If you sign in, I can also do it for you here."
            )
            return []
        customer_id = identity.customer_id or 0

        def update(session) -> bool:  # type: ignore[no-untyped-def]
            customer = get_customer(session, customer_id=customer_id)
            if customer is not None:
                set_newsletter(session, customer=customer, subscribed=subscribe)
            return customer is not None

        await in_store(update)
        dispatcher.utter_message(
            text="You're subscribed to our newsletter. Welcome aboard!"
            if subscribe
            else "Done: you won't get our newsletter any more."
        )
        return []


class ActionAccountHelp(Action):
    def name(self) -> str:
        return "action_account_help"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(
            text="For your security I never reset passwords in chat. On the sign-in page, click "
            "'Forgot password?' and enter your e-mail address: we'll send you a link that is "
            "valid for one hour. Check your spam folder if it doesn't arrive."
        )
        return []


class ActionLeaveForm(Action):
    """After `stop` in a form: end it, forget its half-collected answers, say nothing changed."""

    def name(self) -> str:
        return "action_leave_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_form_stopped")
        return [ActiveLoop(None), *reset("requested_slot", *FORM_SLOTS)]
