"""Short catalog-only messages read as the product requests they are; others are untouched."""

from __future__ import annotations

from rasa.shared.nlu.training_data.message import Message

from nlu_models.catalog_follow_up import product_request


def message(text: str, intent: str, confidence: float, *entities: tuple[str, str]) -> Message:
    found = []
    for kind, value in entities:
        start = text.index(value)
        found.append({"entity": kind, "value": value, "start": start, "end": start + len(value)})
    return Message(
        data={"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": found}
    )


def test_a_new_kind_of_product_is_a_search_and_a_colour_narrows_the_last_one():
    assert (
        product_request(
            message("and leggings?", "nlu_fallback", 0.5, ("category", "leggings")), 0.8
        )
        == "product_search"
    )
    assert (
        product_request(message("in navy?", "inform", 0.9, ("colour", "navy")), 0.8)
        == "refine_search"
    )
    assert (
        product_request(message("under 70?", "nlu_fallback", 0.5, ("max_price", "70")), 0.8)
        == "refine_search"
    )


def test_other_words_or_a_sure_intent_leave_the_message_alone():
    hoodie = message("my hoodie arrived torn", "nlu_fallback", 0.5, ("product", "hoodie"))
    assert product_request(hoodie, 0.8) is None
    sure = message("blue", "order_status", 0.95, ("colour", "blue"))
    assert product_request(sure, 0.8) is None
    assert product_request(message("hmm", "nlu_fallback", 0.5), 0.8) is None
