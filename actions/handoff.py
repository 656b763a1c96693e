"""Bringing in a person: offered when frustration builds, handed over when the shopper agrees.

With an agent on duty the conversation joins the queue and the assistant pauses; the agent
console (bot/console/app.py) takes it from there. With no one on duty the request is
recorded as a case with the transcript, and the shopper may ask for an answer by e-mail.
"""

from __future__ import annotations

from datetime import datetime

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.base import StoreAction
from actions.identity import Identity
from actions.masking import mask_email
from actions.store_access import in_store
from actions.support import latest_intent
from bot.config import get_settings
from bot.handoff.handover import Handover, answer_by_email, hand_over, handover_keys
from bot.handoff.relay import HANDOFF_SLOT
from bot.handoff.tickets import TicketError, rate, rateable_ticket_of
from bot.handoff.transcript import frustration_of, transcript_of
from bot.store.customers import get_customer

OFFER = (
    "I'm sorry I haven't been more help. Would you like a person from our team to take over? "
    "They'll see our whole conversation."
)
OFFER_BUTTONS = [
    {"title": "Yes, a person please", "payload": "/affirm"},
    {"title": "No, carry on", "payload": "/deny"},
]
WAITING = (
    "I've asked a person from our team to take over. You're number {position} in the queue. "
    "They'll see our whole conversation, so you won't need to repeat yourself; you can keep "
    "writing here in the meantime."
)
NO_AGENT = (
    "I'm sorry, no one from our team is online right now. I've recorded your request as case "
    "#{case}, with our whole conversation. Would you like us to answer you by e-mail?"
)
EMAIL_BUTTONS = [
    {"title": "Yes, e-mail me", "payload": "/affirm"},
    {"title": "No, thanks", "payload": "/deny"},
]
EMAIL_SET = "Done: our team will answer case #{case} by e-mail to {email}, within one working day."
EMAIL_UNKNOWN = (
    "I don't have a verified e-mail address for you yet. Please sign in on our website and ask "
    "me again, or write to us from our contact page quoting case #{case}."
)
EMAIL_DECLINED = (
    "All right. Case #{case} stays open, and our team will pick up our conversation when "
    "they're back."
)
TOO_MANY = (
    "You've asked for a person several times in a short while, and our team has your request. "
    "Please give them a little time; I'm still here for anything else in the meantime."
)
RATING_THANKS = "Thank you for rating {agent} {rating} out of 5. It helps us get better."
NOTHING_TO_RATE = "Thank you! There's no recent conversation with our team to rate, though."
RATING_RANGE = "A rating is a whole number from 1 (poor) to 5 (excellent)."


class ActionOfferHuman(Action):
    """Offers a person; the escalation policy runs it when the shopper's frustration builds."""

    def name(self) -> str:
        return "action_offer_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=OFFER, buttons=OFFER_BUTTONS)
        return []


class ActionHandOver(StoreAction):
    """Queues the conversation for a person and pauses the assistant, or records a case."""

    def name(self) -> str:
        return "action_hand_over"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, identity: Identity
    ) -> list[EventType]:
        events = list(tracker.events)
        applied = tracker.applied_events()
        asked = latest_intent(tracker) == "request_human"
        limits = handover_keys(
            get_settings().hashing_secret,
            client=identity.client or tracker.sender_id,
            conversation_id=tracker.sender_id,
        )
        outcome: Handover = await in_store(
            lambda s: hand_over(
                s,
                conversation_id=tracker.sender_id,
                reason="asked for a person" if asked else "frustrated, accepted a person",
                transcript=transcript_of(events),
                frustration=frustration_of(applied),
                now=datetime.utcnow(),
                limits=limits,
                customer_id=identity.customer_id,
            )
        )
        if outcome.refused:
            dispatcher.utter_message(text=TOO_MANY)
            return []
        if outcome.position is None:
            dispatcher.utter_message(
                text=NO_AGENT.format(case=outcome.case_id),
                buttons=EMAIL_BUTTONS,
                json_message={"type": "handoff", "state": "no_agent", "case": outcome.case_id},
            )
            return [SlotSet(HANDOFF_SLOT, "no_agent")]
        dispatcher.utter_message(
            text=WAITING.format(position=outcome.position),
            json_message={"type": "handoff", "state": "waiting", "position": outcome.position},
        )
        return [SlotSet(HANDOFF_SLOT, "agent"), ConversationPaused()]


async def verified_email(tracker: Tracker, identity: Identity) -> str | None:
    """The shopper's e-mail address, when they proved it: signed in, or a verified guest order."""
    if identity.customer_id is not None:
        customer_id = identity.customer_id
        customer = await in_store(lambda s: get_customer(s, customer_id=customer_id))
        return customer.email if customer else None
    email = tracker.get_slot("email")
    return str(email) if email and identity.verified_orders else None


class ActionEmailAnswer(StoreAction):
    """The shopper's answer to 'shall we answer you by e-mail?' when no one was on duty."""

    def name(self) -> str:
        return "action_email_answer"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, identity: Identity
    ) -> list[EventType]:
        wants = latest_intent(tracker) == "affirm"
        email = await verified_email(tracker, identity) if wants else None
        case = await in_store(
            lambda s: answer_by_email(s, conversation_id=tracker.sender_id, email=email)
        )
        if not wants:
            dispatcher.utter_message(text=EMAIL_DECLINED.format(case=case))
        elif email:
            dispatcher.utter_message(text=EMAIL_SET.format(case=case, email=mask_email(email)))
        else:
            dispatcher.utter_message(text=EMAIL_UNKNOWN.format(case=case))
        return [SlotSet(HANDOFF_SLOT, None)]


class ActionStoreRating(StoreAction):
    """Stores the shopper's 1–5 rating of the person who helped them."""

    def name(self) -> str:
        return "action_store_rating"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, identity: Identity
    ) -> list[EventType]:
        rating = rating_of(tracker)
        if rating is None:
            dispatcher.utter_message(text=RATING_RANGE)
            return []
        now = datetime.utcnow()

        def store(session: Session) -> str | None:
            ticket = rateable_ticket_of(session, conversation_id=tracker.sender_id)
            if ticket is None:
                return None
            try:
                rate(session, ticket=ticket, rating=rating, now=now)
            except TicketError:
                return None
            return ticket.agent.display_name if ticket.agent else "our team"

        agent = await in_store(store)
        if agent is None:
            dispatcher.utter_message(text=NOTHING_TO_RATE)
        else:
            dispatcher.utter_message(text=RATING_THANKS.format(agent=agent, rating=rating))
        return []


def rating_of(tracker: Tracker) -> int | None:
    """The whole number from 1 to 5 in the message's `rating` entity, or None."""
    for value in tracker.get_latest_entity_values("rating"):
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        if number.is_integer() and 1 <= number <= 5:
            return int(number)
    return None
