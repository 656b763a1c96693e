"""Replies several actions share."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.store_access import UNAVAILABLE_TEXT

NOT_FOUND = (
    "I couldn't find an order with that number and e-mail address. Please check both "
    "(the order number has 6 digits and is in your confirmation e-mail) and try again."
)
NOT_IN_ACCOUNT = "I couldn't find that order in your account. Please check the number."
BAD_ORDER_NUMBER = "Order numbers have 6 digits, like 100123. Could you check yours?"
BAD_EMAIL = "That doesn't look like an e-mail address. Could you type it again?"
LOCKED = (
    "I'm sorry, I couldn't verify the order, so I'll stop asking for details now. "
    "A person from our team can help you further."
)
HUMAN_BUTTON = {"title": "Talk to a person", "payload": "/request_human"}


def say_unavailable(dispatcher: CollectingDispatcher) -> None:
    dispatcher.utter_message(text=UNAVAILABLE_TEXT)


def say_locked(dispatcher: CollectingDispatcher) -> None:
    dispatcher.utter_message(text=LOCKED, buttons=[HUMAN_BUTTON])
