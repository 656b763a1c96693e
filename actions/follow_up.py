"""A message the NLU could not place, read as a follow-up to the shopper's previous question.

"And do they go back to the card?" after a refund question, "what about marketplace sellers?"
after the price-match answer, "with ankle support?" or "under 70?" after a search: on their own
such messages mean little, so the classifier is unsure; after the previous question they are
plain. When the message reads as a follow-up (it starts like one, or points back with "it" or
"they") and the previous question is one this action can answer again with the new detail, it
does. A form's "forget it" the classifier missed ends the form; an e-mail alone from a signed-in
shopper, and a phone number, get a plain answer. Anything else is asked to be put another way.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.base import StoreAction
from actions.identity import Identity
from actions.info import DATA_ANSWERS, answer
from actions.product_focus import last_search
from actions.products import budget_text, show_search
from actions.returns import REFUND_TIMING
from actions.store_access import in_store
from bot.follow_up import FOLLOW_UP
from bot.leaving import LEAVING

PRODUCT_INTENTS = frozenset(
    {
        "product_search",
        "product_details",
        "recommend",
        "more_like_this",
        "cheaper",
        "refine_search",
        "goes_with",
    }
)
BELOW = re.compile(r"\b(?:under|below|less than|max(?:imum)?|up to|cheaper than)\s*[€$£]?\s*(\d+)")
ABOVE = re.compile(r"\b(?:over|above|more than|at least)\s*[€$£]?\s*(\d+)")
NOT_UNDERSTOOD = {"nlu_fallback": "utter_default", "inform": "utter_please_rephrase"}
PHONE = re.compile(r"(?:\+|\b0)\d[\d /-]{6,}\d")
OWN_ACCOUNT_ONLY = (
    "I can only show the orders of the account you're signed in with, so I can't look anything "
    "up for another e-mail address. Whoever placed the order can sign in, or give me its order "
    "number with their e-mail."
)
NO_PHONE = (
    "Our team doesn't call back by phone, but they answer here in the chat or by e-mail. If "
    "you'd like a person from our team to take over this conversation, just say so."
)


def previous_intent(tracker: Tracker) -> str | None:
    """The intent of the shopper's message before the latest one."""
    users = [e for e in tracker.events if e.get("event") == "user"]
    if len(users) < 2:
        return None
    return ((users[-2].get("parse_data") or {}).get("intent") or {}).get("name")


class ActionFollowUp(StoreAction):
    """Answers an unplaced message as a follow-up to the previous question, when it reads as one."""

    def name(self) -> str:
        return "action_follow_up"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, identity: Identity
    ) -> list[EventType]:
        text = str(tracker.latest_message.get("text") or "")
        if tracker.active_loop.get("name") and LEAVING.search(text):
            return [FollowupAction("action_leave_form")]
        entities = {e.get("entity") for e in tracker.latest_message.get("entities") or []}
        if "order_number" in entities and not tracker.active_loop.get("name"):
            return [FollowupAction("order_status_form")]  # "and what about 100222?"
        if "email" in entities and "order_number" not in entities and identity.logged_in:
            dispatcher.utter_message(text=OWN_ACCOUNT_ONLY)
            return []
        if PHONE.search(text):
            dispatcher.utter_message(text=NO_PHONE)
            return []
        previous = previous_intent(tracker) if FOLLOW_UP.search(text) else None
        if previous in DATA_ANSWERS:
            dispatcher.utter_message(text=await in_store(lambda s: answer(s, previous)))
            return []
        if previous == "refund_status":
            dispatcher.utter_message(text=REFUND_TIMING)
            return []
        if previous in PRODUCT_INTENTS and last_search(tracker) is not None:
            return await self._search_further(dispatcher, tracker, identity, text)
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        dispatcher.utter_message(response=NOT_UNDERSTOOD.get(intent, "utter_default"))
        return []

    @staticmethod
    async def _search_further(
        dispatcher: CollectingDispatcher, tracker: Tracker, identity: Identity, text: str
    ) -> list[EventType]:
        """The last search again, with this message's words and budget added."""
        earlier = last_search(tracker)
        assert earlier is not None
        below, above = BELOW.search(text.lower()), ABOVE.search(text.lower())
        query = replace(
            earlier,
            text=" ".join(filter(None, (earlier.text, text))),
            max_price=Decimal(below.group(1)) if below else earlier.max_price,
            min_price=Decimal(above.group(1)) if above else earlier.min_price,
        )
        budget = budget_text(query)
        return await show_search(
            dispatcher,
            tracker,
            identity,
            query,
            found=f"Here's what I found{budget}:",
            none=f"I couldn't find that{budget}, sorry.",
        )
