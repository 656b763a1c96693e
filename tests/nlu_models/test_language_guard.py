"""Messages in other languages are marked not understood; English ones, even terse, are not."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from nlu_models.language_guard import LanguageGuard, foreign


@pytest.mark.parametrize(
    "text",
    [
        "¿Dónde está mi pedido? Lo pedí hace dos semanas.",
        "Wo ist meine Bestellung?",
        "Où est ma commande ?",
    ],
)
def test_other_languages_are_recognised(text: str):
    assert foreign(text)


@pytest.mark.parametrize(
    "text",
    ["where is my order?", "la sportiva shoes", "gps watch garmin", "Hallo, I want know status"],
)
def test_english_is_left_alone(text: str):
    assert not foreign(text)


def test_the_guard_sets_the_fallback_intent():
    spanish = Message(
        data={"text": "Quiero mi pedido, por favor", "intent": {"name": "request_human"}}
    )
    LanguageGuard({}).process([spanish])
    assert spanish.get("intent") == {"name": "nlu_fallback", "confidence": 1.0}
