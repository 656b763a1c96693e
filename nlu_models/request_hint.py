"""The intent of a message's one request, as read without the asides around it.

"My order is 100237, maria@example.com - can you send me that invoice?" reads as an order
question as a whole, though the request in it asks for an invoice. The channels cut such messages
into pieces and classify each (bot/rasa_server/message_parts.py); when one piece makes the
request and the others only add to it, they pass that piece's intent in the message's metadata
(`request_intent`, set by the server, never by the client). This component, last in the
pipeline, makes it the message's intent. Messages without it are untouched.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT
from rasa.shared.nlu.training_data.message import Message

from nlu_models.stateless_component import StatelessComponent

REQUEST_INTENT = "request_intent"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class RequestHint(StatelessComponent):
    """Sets the intent the server read from the message's one request."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            hint = (message.get("metadata") or {}).get(REQUEST_INTENT)
            if isinstance(hint, str) and hint:
                message.set(INTENT, {"name": hint, "confidence": 1.0}, add_to_output=True)
        return messages
