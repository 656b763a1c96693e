"""Where a message is split into turns: pieces by punctuation and joined questions, then grouped
by the NLU's reading of each piece (here a table standing in for the classifier's answers)."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.rasa_server.message_parts import handle_in_parts, message_parts, pieces


def reading(table: dict[str, tuple[str, float]]):  # type: ignore[no-untyped-def]
    """A parse function answering each piece's intent from `table` (inform when not listed)."""

    async def parse(text: str) -> dict[str, Any]:
        name, confidence = table.get(text, ("inform", 0.99))
        return {"text": text, "intent": {"name": name, "confidence": confidence}}

    return parse


def texts(text: str) -> list[str]:
    return [text[a:b] for a, b in pieces(text)]


def test_pieces_are_sentences_and_questions_joined_by_and():
    assert texts("How much is shipping and can I pay with PayPal?") == [
        "How much is shipping",
        "can I pay with PayPal?",
    ]
    assert texts("never mind. do you ship to Denmark?") == [
        "never mind.",
        "do you ship to Denmark?",
    ]
    assert texts("black shoes and a red cap") == ["black shoes and a red cap"]
    assert texts("which payments you accept, and also you make price match?") == [
        "which payments you accept",
        "you make price match?",
    ]
    assert texts("mail me at a.b@example.com please") == ["mail me at a.b@example.com please"]
    assert texts("order 100237 - is it shipped?") == ["order 100237", "is it shipped?"]


def test_two_requests_become_two_turns_in_order():
    parse = reading(
        {
            "How much is shipping": ("shipping_info", 0.97),
            "can I pay with PayPal?": ("payment_methods", 0.95),
        }
    )
    parts = asyncio.run(message_parts("How much is shipping and can I pay with PayPal?", parse))
    assert parts == [("How much is shipping", None), ("can I pay with PayPal?", None)]


def test_greetings_numbers_and_the_same_topic_stay_with_their_request():
    text = "Hi! I sent it back. Order 100132, my e-mail is a@b.de. Has the refund come?"
    parse = reading(
        {
            "Hi!": ("greet", 0.99),
            "I sent it back.": ("return_item", 0.9),
            "Has the refund come?": ("refund_status", 0.96),
        }
    )
    assert asyncio.run(message_parts(text, parse)) == [(text, None)]  # two requests: no hint


def test_a_request_among_asides_is_one_turn_with_the_request_intent():
    text = "my order is 100237, a@b.de - can you send me that invoice?"
    parse = reading({"can you send me that invoice?": ("ask_invoice", 0.97)})
    assert asyncio.run(message_parts(text, parse)) == [(text, "ask_invoice")]


def test_a_stop_then_a_question_are_two_turns():
    parse = reading({"forget it.": ("stop", 0.9), "any rain jackets?": ("product_search", 0.9)})
    assert asyncio.run(message_parts("forget it. any rain jackets?", parse)) == [
        ("forget it.", None),
        ("any rain jackets?", None),
    ]


def test_unsure_pieces_and_order_tasks_about_no_order_do_not_split():
    unsure = reading({"sizes?": ("product_search", 0.4), "and shipping?": ("shipping_info", 0.9)})
    assert asyncio.run(message_parts("sizes? and shipping?", unsure)) == [
        ("sizes? and shipping?", "shipping_info")
    ]
    vague = reading(
        {
            "you ship to Spain?": ("shipping_info", 0.9),
            "and how long it take?": ("order_status", 0.9),
        }
    )
    text = "you ship to Spain? and how long it take?"
    assert asyncio.run(message_parts(text, vague)) == [(text, "shipping_info")]


def test_pasted_text_is_read_as_a_whole():
    parse = reading(
        {"where is it?": ("order_status", 0.9), "Questions?": ("bot_capabilities", 0.9)}
    )
    text = "where is it?\n\nOrder number: 100237\nQuestions? Reply to this e-mail."
    assert asyncio.run(message_parts(text, parse)) == [(text, None)]


def test_each_turn_keeps_the_sender_channel_and_metadata_with_its_own_id():
    received: list[UserMessage] = []

    async def on_new_message(message: UserMessage) -> None:
        received.append(message)

    parse = reading(
        {"Is shipping free?": ("shipping_info", 0.9), "Any tents?": ("product_search", 0.9)}
    )
    message = UserMessage(
        "Is shipping free? Any tents?",
        CollectingOutputChannel(),
        "s1",
        input_channel="rest",
        message_id="abcdef12",
        metadata={"client": "x"},
    )
    asyncio.run(handle_in_parts(message, on_new_message, parse))
    assert [m.text for m in received] == ["Is shipping free?", "Any tents?"]
    assert [m.message_id for m in received] == ["abcdef12", "abcdef12-1"]
    assert all(m.sender_id == "s1" and m.metadata == {"client": "x"} for m in received)
    assert message.metadata == {"client": "x"}
    assert received[0].output_channel is received[1].output_channel


def test_a_product_reading_next_to_an_order_number_is_about_the_order():
    text = "His order number is 100001. Could you tell me what's in it and when it will arrive?"
    parse = reading(
        {
            "Could you tell me what's in it": ("product_details", 0.9),
            "when it will arrive?": ("order_status", 0.9),
        }
    )
    assert asyncio.run(message_parts(text, parse)) == [(text, "order_status")]
