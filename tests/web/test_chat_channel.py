"""The widget's socket.io channel: history on reconnect, idempotent messages, origin check."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import socketio

from bot.rasa_server.chat_channel import history, widget_message
from tests.server_process import Shop
from tests.web.socket_client import Client


def test_bot_messages_keep_text_buttons_and_custom_payloads():
    message = widget_message(
        {
            "text": "Which order?",
            "buttons": [{"title": "Order 100001", "payload": "/order_status"}],
            "custom": {"type": "product_cards", "products": []},
            "elements": None,
            "image": None,
        }
    )
    assert message == {
        "text": "Which order?",
        "quick_replies": [{"title": "Order 100001", "payload": "/order_status"}],
        "custom": {"type": "product_cards", "products": []},
    }
    assert widget_message({"text": None, "image": None}) == {}


def test_history_shows_what_the_shopper_clicked_not_the_payload():
    events = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "hi", "message_id": "a" * 12, "metadata": {}},
        {"event": "bot", "text": "Hello!", "data": {"buttons": None}},
        {
            "event": "user",
            "text": '/order_status{"order_number":"100001"}',
            "message_id": "b" * 12,
            "metadata": {"display": "Order 100001"},
        },
        {"event": "slot", "name": "order_number", "value": "100001"},
    ]
    assert history(events) == [
        {"from": "user", "text": "hi", "message_id": "a" * 12},
        {"from": "bot", "text": "Hello!"},
        {"from": "user", "text": "Order 100001", "message_id": "b" * 12},
    ]
    assert len(history(events * 100, limit=7)) == 7


async def _reconnect_and_resend(shop: Shop) -> None:
    first = Client()
    session_id, said = await first.open(shop)
    assert said == []
    message_id = uuid.uuid4().hex
    assert await first.say("hi", message_id) == {"ok": True}
    greeting = await first.next("bot_uttered")
    assert greeting["text"].startswith("Hi!")
    await first.close()

    again = Client()
    same, said = await again.open(shop, session_id, first.key)
    assert same == session_id
    assert said == [
        {"from": "user", "text": "hi", "message_id": message_id},
        {"from": "bot", **greeting},
    ]
    # The widget resends what it never saw confirmed: the server keeps one copy.
    assert await again.say("hi", message_id, resend=True) == {"ok": True, "duplicate": True}
    await again.close()
    check = Client()
    _, said = await check.open(shop, session_id, first.key)
    assert [m["text"] for m in said] == ["hi", greeting["text"]]
    await check.close()


@pytest.mark.slow
def test_history_comes_back_and_a_resent_message_counts_once(shop: Shop):
    asyncio.run(_reconnect_and_resend(shop))


async def _answer_on_its_way(shop: Shop) -> None:
    client = Client()
    session_id, _ = await client.open(shop)
    message_id = uuid.uuid4().hex
    # A page that lost its connection resends "hi" and asks for the history while the server is
    # still answering the first "hi".
    loop = asyncio.get_running_loop()
    first, again = loop.create_future(), loop.create_future()
    for reply, resend in ((first, False), (again, True)):
        await client.sio.emit(
            "user_uttered",
            {"message": "hi", "message_id": message_id, "resend": resend},
            callback=reply.set_result,
        )
    await client.request(session_id, client.key)
    said = await client.history()
    assert said[0] == {"from": "user", "text": "hi", "message_id": message_id}
    assert [m["from"] for m in said] == ["user", "bot"] and said[1]["text"].startswith("Hi!")
    assert await first == {"ok": True}
    assert await again == {"ok": True, "duplicate": True}
    await client.close()
    check = Client()
    _, again_said = await check.open(shop, session_id, client.key)
    assert again_said == said
    await check.close()


@pytest.mark.slow
def test_a_message_still_being_answered_is_in_the_history_and_counts_once(shop: Shop):
    asyncio.run(_answer_on_its_way(shop))


async def _refused(shop: Shop, origin: str) -> None:
    client = socketio.AsyncClient(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(shop.chat_url, headers={"Origin": origin}, transports=["polling"])


@pytest.mark.slow
@pytest.mark.parametrize("origin", ["http://evil.example", "null"])
def test_pages_from_other_origins_cannot_connect(shop: Shop, origin: str):
    asyncio.run(_refused(shop, origin))


async def _no_session(shop: Shop) -> None:
    client = Client()
    await client.connect(shop)
    reply = await client.say("hi", uuid.uuid4().hex)
    assert reply == {"ok": False, "error": "send session_request first"}
    await client.close()


@pytest.mark.slow
def test_a_message_before_the_session_request_is_refused(shop: Shop):
    asyncio.run(_no_session(shop))


async def _switching(shop: Shop) -> None:
    switcher, other = Client(), Client()
    first, _ = await switcher.open(shop)
    first_key = switcher.key
    assert await switcher.request(None, None) != first
    await other.open(shop, first, first_key)
    assert (await other.say("hi", uuid.uuid4().hex))["ok"]
    assert (await other.next("bot_uttered"))["text"].startswith("Hi!")
    await asyncio.sleep(0.5)
    assert "bot_uttered" not in switcher.received()
    await switcher.close()
    await other.close()


@pytest.mark.slow
def test_a_connection_that_switches_conversation_leaves_the_old_one(shop: Shop):
    asyncio.run(_switching(shop))
