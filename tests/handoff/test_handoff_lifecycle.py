"""The whole handoff through the running shop: a shopper on socket.io, an agent on the console API.

escalate -> ticket -> the agent takes it and replies live -> hands back -> the assistant answers
again -> the shopper's rating is stored; nothing the shopper wrote while waiting is lost.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
import requests
from sqlalchemy import select

from bot.auth import issue_shopper_token
from bot.config import get_settings
from bot.handoff.audit import audit_trail
from bot.store.db import make_engine, make_session_factory
from bot.store.models import HandoffTicket, TicketState
from tests.server_process import AGENT_PASSWORD, Shop
from tests.web.socket_client import Client

pytestmark = pytest.mark.slow
HELLO = "Hi, I'm Ana. Let me look."


class Console:
    """An agent signed in to the console's JSON API."""

    def __init__(self, shop: Shop, username: str) -> None:
        self.base = f"{shop.desk}/agent"
        answer = requests.post(
            f"{self.base}/api/signin",
            json={"username": username, "password": AGENT_PASSWORD},
            timeout=10,
        )
        answer.raise_for_status()
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {answer.json()['token']}"

    def get(self, path: str) -> dict:
        answer = self.http.get(f"{self.base}/api{path}", timeout=10)
        answer.raise_for_status()
        return answer.json()

    def post(self, path: str, body: dict | None = None) -> requests.Response:
        return self.http.post(f"{self.base}/api{path}", json=body or {}, timeout=15)

    def ticket_of(self, conversation_id: str) -> dict:
        waiting = self.get("/queue")["waiting"]
        return next(t for t in waiting if t["conversation_id"] == conversation_id)

    def lines(self, ticket_id: int) -> list[dict]:
        return self.get(f"/tickets/{ticket_id}")["lines"]

    def wait_for_line(self, ticket_id: int, text: str, timeout_s: float = 10) -> dict:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            found = [line for line in self.lines(ticket_id) if line["text"] == text]
            if found:
                return found[0]
            time.sleep(0.3)
        raise AssertionError(f"{text!r} never reached ticket {ticket_id}")

    def sign_out(self) -> None:
        self.post("/signout").raise_for_status()


def stored_ticket(shop: Shop, ticket_id: int) -> HandoffTicket:
    engine = make_engine(shop.store_url)
    with make_session_factory(engine)() as session:
        ticket = session.execute(
            select(HandoffTicket).where(HandoffTicket.id == ticket_id)
        ).scalar()
    engine.dispose()
    assert ticket is not None
    return ticket


def audited(shop: Shop, ticket_id: int) -> list[tuple[str, str]]:
    """What the console's audit log holds for the ticket: (action, detail), oldest first."""
    engine = make_engine(shop.store_url)
    with make_session_factory(engine)() as session:
        rows = [(row.action, row.detail) for row in audit_trail(session, ticket_id=ticket_id)]
    engine.dispose()
    return rows


async def _lifecycle(shop: Shop, console: Console) -> None:
    shopper = Client()
    session_id, _ = await shopper.open(shop)
    token = issue_shopper_token(7, secret=get_settings().jwt_secret, ttl_s=600)

    async def say(text: str) -> None:
        message = {
            "message": text,
            "message_id": uuid.uuid4().hex,
            "metadata": {"shopper_token": token},
        }
        assert (await shopper.sio.call("user_uttered", message, timeout=60))["ok"]

    await say("I want to talk to a real person")
    waiting = await shopper.next("bot_uttered")
    assert waiting["custom"]["type"] == "handoff" and waiting["custom"]["state"] == "waiting"
    assert f"number {waiting['custom']['position']} in the queue" in waiting["text"]

    ticket = console.ticket_of(session_id)
    assert ticket["shopper"] != "Guest (not signed in)" and ticket["reason"] == "asked for a person"
    view = console.get(f"/tickets/{ticket['id']}")
    first = view["lines"][0]
    assert (first["author"], first["text"]) == ("shopper", "I want to talk to a real person")
    assert first["sentiment"] in ("negative", "neutral", "positive")
    assert view["orders"] and all(order["number"] for order in view["orders"])

    # Waiting: the assistant is silent, and what the shopper writes reaches the ticket.
    await say("hello? is anyone there??")
    assert "bot_uttered" not in await shopper.quiet_for(2)
    console.wait_for_line(ticket["id"], "hello? is anyone there??")

    assert console.post(f"/tickets/{ticket['id']}/take").status_code == 200
    joined = await shopper.next("bot_uttered")
    assert joined["custom"] == {"type": "handoff", "state": "joined", "agent": "Ana"}
    assert console.post(f"/tickets/{ticket['id']}/reply", {"text": HELLO}).ok
    reply = await shopper.next("bot_uttered")
    assert reply["text"] == HELLO
    assert reply["custom"] == {"type": "handoff", "state": "message", "agent": "Ana"}

    await say("thanks! it's about my jacket")
    assert "bot_uttered" not in await shopper.quiet_for(2)
    console.wait_for_line(ticket["id"], "thanks! it's about my jacket")

    assert console.post(f"/tickets/{ticket['id']}/hand-back").status_code == 200
    back = await shopper.next("bot_uttered")
    assert back["custom"]["state"] == "back"
    rating = await shopper.next("bot_uttered")
    assert rating["custom"] == {"type": "rating", "agent": "Ana"}
    assert [q["title"] for q in rating["quick_replies"]] == ["1", "2", "3", "4", "5"]
    assert (
        console.post(f"/tickets/{ticket['id']}/reply", {"text": "still there?"}).status_code == 409
    )

    await say("hi")  # the assistant answers again
    assert (await shopper.next("bot_uttered"))["text"].startswith("Hi! I'm the Trailhead")
    await say(rating["quick_replies"][4]["payload"])
    thanks = await shopper.next("bot_uttered")
    assert "Ana 5 out of 5" in thanks["text"]
    stored = stored_ticket(shop, ticket["id"])
    assert (stored.state, stored.rating) == (TicketState.CLOSED, 5)
    # Who did what is on record, without a word of the conversation; polling adds no rows.
    assert audited(shop, ticket["id"]) == [
        ("opened", ""),
        ("took", "was waiting"),
        ("replied", f"{len(HELLO)} characters"),
        ("handed_back", ""),
    ]
    await shopper.close()

    # A reload shows the whole conversation: every word of the shopper's, and the agent's.
    reloaded = Client()
    _, said = await reloaded.open(shop, session_id, shopper.key, token)
    texts = [m["text"] for m in said]
    for text in (
        "I want to talk to a real person",
        "hello? is anyone there??",
        HELLO,
        "thanks! it's about my jacket",
    ):
        assert text in texts
    await reloaded.close()


def test_escalate_take_reply_hand_back_and_rate(shop: Shop):
    console = Console(shop, shop.new_agent("Ana"))
    try:
        asyncio.run(_lifecycle(shop, console))
    finally:
        console.sign_out()


def test_the_agent_api_refuses_anyone_not_signed_in_as_an_agent(shop: Shop):
    api = f"{shop.desk}/agent/api"
    shopper_cookie = {
        "shopdesk_demo_session": issue_shopper_token(7, secret=get_settings().jwt_secret)
    }
    for headers, cookies in (
        ({}, {}),
        ({"Authorization": "Bearer forged-token"}, {}),
        ({}, {"shopdesk_agent": "forged-token"}),
        ({}, shopper_cookie),
    ):
        assert (
            requests.get(f"{api}/queue", headers=headers, cookies=cookies, timeout=10).status_code
            == 401
        )
        reply = requests.post(
            f"{api}/tickets/1/reply",
            json={"text": "hi"},
            headers=headers,
            cookies=cookies,
            timeout=10,
        )
        assert reply.status_code == 401
    page = requests.get(f"{shop.desk}/agent/", allow_redirects=False, timeout=10)
    assert page.status_code in (302, 303) and page.headers["Location"].endswith("/agent/signin")
    wrong = requests.post(
        f"{api}/signin", json={"username": "ana", "password": "guess"}, timeout=10
    )
    assert wrong.status_code == 401
