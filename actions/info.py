"""Questions answered from the store's policy data, and small talk."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.base import StoreAction
from actions.identity import Identity
from actions.order_text import money
from actions.store_access import in_store
from bot.follow_up import STORE_QUESTIONS
from bot.store.policies import get_policy, payment_methods, shipping_options

POLICY_OF_INTENT = {
    "ask_return_policy": "returns",
    "ask_warranty": "warranty",
    "ask_price_match": "price_match",
    "ask_invoice": "invoices",
    "ask_cancel_policy": "cancellation",
    "ask_contact": "contact",
}
DATA_ANSWERS = STORE_QUESTIONS
"""Every one is answered from a policy (POLICY_OF_INTENT) or the shipping and payment tables."""
SMALL_TALK = {"bot_challenge", "bot_capabilities", "chitchat", "out_of_scope"}


def policy_text(session: Session, topic: str) -> str:
    policy = get_policy(session, topic=topic)
    if policy is None:
        return "I don't have that policy at hand. A person from our team can tell you."
    return policy.text.format(**policy.params)


def shipping_text(session: Session) -> str:
    lines = []
    for option in shipping_options(session):
        free = f", free over {money(option.free_over)}" if option.free_over is not None else ""
        days = (
            f"{option.min_days} working day"
            if option.min_days == option.max_days
            else f"{option.min_days}–{option.max_days} working days"
        )
        lines.append(f"- {option.name}: {money(option.cost)}{free}, {days}")
    return "\n".join(["Our delivery options:", *lines, policy_text(session, "shipping")])


def payments_text(session: Session) -> str:
    methods = [
        f"- {m.name}" + (f" ({m.notes})" if m.notes else "") for m in payment_methods(session)
    ]
    return "\n".join(["We accept:", *methods])


def answer(session: Session, intent: str) -> str:
    if intent == "shipping_info":
        return shipping_text(session)
    if intent == "payment_methods":
        return payments_text(session)
    return policy_text(session, POLICY_OF_INTENT[intent])


class ActionAnswerQuestion(StoreAction):
    """Answers a question from the store's data; works in and out of forms alike."""

    def name(self) -> str:
        return "action_answer_question"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, identity: Identity
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        if intent in SMALL_TALK:
            dispatcher.utter_message(response=f"utter_{intent}")
        elif intent in DATA_ANSWERS:
            dispatcher.utter_message(text=await in_store(lambda s: answer(s, intent)))
        else:
            dispatcher.utter_message(response="utter_default")
        return []
