"""A follow-up to a store question is read together with that question (here a table stands in
for the classifier, and a list for the conversation's previous message)."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.rasa_server.message_parts import handle_in_parts
from bot.rasa_server.topic_follow_up import Previous, continued_question
from nlu_models.request_hint import REQUEST_INTENT

RETURNS = "are returns free?"


def reading(table: dict[str, tuple[str, float]]):  # type: ignore[no-untyped-def]
    """A parse function answering each text's intent from `table` (out_of_scope when unknown)."""
    asked: list[str] = []

    async def parse(text: str) -> dict[str, Any]:
        asked.append(text)
        name, confidence = table.get(text, ("out_of_scope", 0.5))
        return {"text": text, "intent": {"name": name, "confidence": confidence}}

    parse.asked = asked  # type: ignore[attr-defined]
    return parse


def before(text: str | None, intent: str = "") -> Previous:
    async def previous() -> tuple[str, str] | None:
        return None if text is None else (text, intent)

    return previous


def continued(text: str, table: dict[str, tuple[str, float]], previous: Previous) -> str | None:
    return asyncio.run(continued_question(text, previous, reading(table)))


FOR_THAT = "and how many days do I have for that?"
TOGETHER = f"{RETURNS} {FOR_THAT}"


def test_a_follow_up_to_a_store_question_asks_it_again():
    table = {FOR_THAT: ("order_status", 0.6), TOGETHER: ("ask_return_policy", 0.93)}
    assert continued(FOR_THAT, table, before(RETURNS, "ask_return_policy")) == "ask_return_policy"


def test_no_store_question_before_or_a_reading_together_of_something_else_changes_nothing():
    table = {FOR_THAT: ("order_status", 0.6), TOGETHER: ("ask_return_policy", 0.93)}
    assert continued(FOR_THAT, table, before(None)) is None
    assert continued(FOR_THAT, table, before("where is my order?", "order_status")) is None
    unsure = {FOR_THAT: ("order_status", 0.6), TOGETHER: ("ask_return_policy", 0.6)}
    assert continued(FOR_THAT, unsure, before(RETURNS, "ask_return_policy")) is None


def test_a_sure_request_a_thanks_or_an_order_number_is_not_a_follow_up():
    shipping = before("how much is shipping?", "shipping_info")
    sure = {"and can I return it?": ("return_item", 0.97)}
    assert continued("and can I return it?", sure, shipping) is None
    thanks = {
        "ok thanks": ("thank", 0.9),
        "how much is shipping? ok thanks": ("shipping_info", 0.9),
    }
    assert continued("ok thanks", thanks, shipping) is None
    assert continued("and what about 100237?", {}, shipping) is None
    assert continued("do you sell tents", {}, shipping) is None  # reads as no follow-up


def test_a_continued_question_is_one_turn_with_its_intent():
    received: list[UserMessage] = []

    async def on_new_message(message: UserMessage) -> None:
        received.append(message)

    text = "and to Italy? how much it cost?"
    parse = reading(
        {
            text: ("out_of_scope", 0.51),
            f"you ship to Switzerland? {text}": ("shipping_info", 0.9),
            "how much it cost?": ("cheaper", 0.92),
        }
    )
    message = UserMessage(text, CollectingOutputChannel(), "s1", message_id="m1")
    previous = before("you ship to Switzerland?", "shipping_info")
    asyncio.run(handle_in_parts(message, on_new_message, parse, previous))
    assert [(m.text, m.metadata[REQUEST_INTENT]) for m in received] == [(text, "shipping_info")]


def test_another_store_question_asked_as_a_follow_up_is_asked_anew():
    text = "Also, what is your warranty period?"
    table = {
        text: ("ask_warranty", 0.8),
        f"do you take Klarna? {text}": ("payment_methods", 0.9),
    }
    assert continued(text, table, before("do you take Klarna?", "payment_methods")) is None
