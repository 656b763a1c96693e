"""The server's reading of a message's one request sets its intent; nothing else does."""

from __future__ import annotations

from rasa.shared.nlu.training_data.message import Message

from nlu_models.request_hint import REQUEST_INTENT, RequestHint


def test_the_request_intent_in_the_metadata_becomes_the_intent():
    hinted = Message(
        data={
            "text": "x",
            "intent": {"name": "order_status", "confidence": 0.9},
            "metadata": {REQUEST_INTENT: "ask_invoice"},
        }
    )
    plain = Message(
        data={
            "text": "y",
            "intent": {"name": "order_status", "confidence": 0.9},
            "metadata": {"client": "abc"},
        }
    )
    RequestHint({}).process([hinted, plain])
    assert hinted.get("intent") == {"name": "ask_invoice", "confidence": 1.0}
    assert plain.get("intent")["name"] == "order_status"
