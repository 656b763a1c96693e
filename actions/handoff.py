"""Bringing in a person: offered when frustration builds, handed over when the shopper agrees."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import StoreAction
from actions.identity import Identity
from actions.support import record_case
from bot.store.models import CaseKind

OFFER = (
    "I'm sorry I haven't been more help. Would you like a person from our team to take over? "
    "They'll see our whole conversation."
)
OFFER_BUTTONS = [
    {"title": "Yes, a person please", "payload": "/affirm"},
    {"title": "No, carry on", "payload": "/deny"},
]


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
    """Hands the conversation to the team, as a request for a person with the conversation."""

    def name(self) -> str:
        return "action_hand_over"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, identity: Identity
    ) -> list[EventType]:
        await record_case(dispatcher, tracker, identity, CaseKind.HANDOFF_REQUEST)
        return []
