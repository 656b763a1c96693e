"""Attacks on shoppers' data, made against the real running services (HTTP and socket.io).

Each test is an attack that worked before the defences were built: a forged tracker posted to the
action server, order numbers guessed across fresh conversations, a reset by /restart or /back,
forged or borrowed tokens, a conversation's history read by id alone, an oversized message that
stalled everyone, and a flood of messages from one client.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import jwt
import pytest
import requests
from sqlalchemy import create_engine, text

from actions.handoff import TOO_MANY
from actions.replies import NOT_FOUND
from bot.auth import ALGORITHM, ISSUER, SITE, WIDGET, issue_shopper_token
from bot.config import PROJECT_ROOT, SECRET_VARIABLES, get_settings
from bot.handoff.relay import RELAY_PATH
from bot.rasa_server.guard import TOO_FAST
from bot.service_process import Service, free_port
from tests.security.shoppers import Victim, new_victim, order_request
from tests.server_process import Shop, shopper_address
from tests.web.socket_client import Client

pytestmark = pytest.mark.slow

OLD_PUBLIC_SECRET = "shopdesk-development-secret-change-me"


def _found(reply: str, victim: Victim) -> bool:
    return f"Order {victim.number}" in reply


def _guess(shop: Shop, number: str, email: str, address: str = "") -> str:
    """One guess in a fresh conversation, as an attacker rotating sender ids would make it."""
    return shop.chat(address=address).reply(order_request(number, email))


def test_the_action_server_answers_only_the_rasa_server(shop: Shop):
    url = f"http://127.0.0.1:{shop.actions.port}"
    forged = {
        "next_action": "action_order_status",
        "sender_id": "attacker",
        "version": "3.6.21",
        "tracker": {"sender_id": "attacker", "slots": {"verified_orders": ["100042"]}},
        "domain": {},
    }
    settings = get_settings()
    for headers in (
        {},
        {"Authorization": "Bearer a-guessed-token"},
        {"Authorization": f"Bearer {settings.jwt_secret}"},
        {"Authorization": f"Bearer {settings.relay_secret}"},
        {"Authorization": settings.service_token},  # no scheme
    ):
        answer = requests.post(f"{url}/webhook", json=forged, headers=headers, timeout=10)
        assert answer.status_code == 401 and "100042" not in answer.text
        assert requests.get(f"{url}/actions", headers=headers, timeout=10).status_code == 401
    assert requests.get(f"{url}/health", timeout=10).ok
    service = {"Authorization": f"Bearer {settings.service_token}"}
    assert requests.get(f"{url}/actions", headers=service, timeout=10).ok


def test_the_recommender_answers_only_the_action_server(shop: Shop):
    url = f"http://127.0.0.1:{shop.recommender.port}"
    for path in ("/shoppers/1/profile", "/recommendations?customer_id=1", "/search?q=tent"):
        answer = requests.get(url + path, timeout=10)
        assert answer.status_code == 401 and "results" not in answer.text
    service = {"Authorization": f"Bearer {get_settings().service_token}"}
    assert requests.get(url + "/search?q=tent", headers=service, timeout=30).status_code != 401


def test_guessing_order_numbers_across_fresh_conversations_finds_nothing(shop: Shop):
    victim = new_victim(shop.store_url)
    attempts = get_settings().max_verification_attempts
    wrong = [str(int(victim.number) + n) for n in range(1, attempts + 3)]
    replies = {_guess(shop, number, victim.email) for number in wrong}
    assert len(replies) == 1 and NOT_FOUND in next(iter(replies))
    # The right pair, from a fresh conversation and a fresh address: the same answer, no order.
    assert {_guess(shop, victim.number, victim.email)} == replies
    # The order number itself is not locked for its owner's e-mail alone: a different victim's
    # e-mail guessed against it counts, but the owner proving another order still works.
    other = new_victim(shop.store_url)
    assert _found(_guess(shop, other.number, other.email), other)


def test_restart_and_back_do_not_reset_the_failed_attempts(shop: Shop):
    victim = new_victim(shop.store_url)
    chat = shop.chat()
    for n in range(get_settings().max_verification_attempts):
        chat.reply(order_request(str(int(victim.number) + n + 1), victim.email))
    for reset in ("/restart", "/back"):
        chat.reply(reset)
        assert not _found(chat.reply(order_request(victim.number, victim.email)), victim)
    assert not _found(_guess(shop, victim.number, victim.email), victim)


def test_one_client_cannot_spread_its_guesses_over_many_e_mails(shop: Shop):
    address = shopper_address()
    replies = {
        _guess(shop, "100001", f"nobody-{uuid.uuid4().hex[:8]}@example.org", address)
        for _ in range(get_settings().max_verification_attempts * 2)
    }
    assert len(replies) == 1 and NOT_FOUND in next(iter(replies))
    victim = new_victim(shop.store_url)
    assert {_guess(shop, victim.number, victim.email, address)} == replies
    assert _found(_guess(shop, victim.number, victim.email), victim)  # another client may


def _tokens(customer_id: int) -> dict[str, str]:
    now = int(time.time())
    secret = get_settings().jwt_secret
    claims = {"sub": str(customer_id), "iss": ISSUER, "aud": WIDGET, "iat": now, "exp": now + 600}
    valid = issue_shopper_token(customer_id, secret=secret)
    return {
        "the old public constant": issue_shopper_token(customer_id, secret=OLD_PUBLIC_SECRET),
        "a guessed secret": issue_shopper_token(customer_id, secret="x" * 48),
        "expired": jwt.encode({**claims, "iat": now - 7200, "exp": now - 3600}, secret, ALGORITHM),
        "tampered": valid[:-4] + ("AAAA" if not valid.endswith("AAAA") else "BBBB"),
        "the demo site's cookie": issue_shopper_token(customer_id, secret=secret, audience=SITE),
        "unsigned": jwt.encode(claims, None, algorithm="none"),
        "another subject": jwt.encode({**claims, "sub": "0"}, "y" * 48, ALGORITHM),
    }


def test_forged_expired_tampered_and_wrong_audience_tokens_open_nothing(shop: Shop):
    victim = new_victim(shop.store_url)
    for name, token in _tokens(victim.customer_id).items():
        reply = shop.chat({"shopper_token": token}).reply("/list_orders")
        assert victim.number not in reply, name
    valid = issue_shopper_token(victim.customer_id, secret=get_settings().jwt_secret)
    assert victim.number in shop.chat({"shopper_token": valid}).reply("/list_orders")


def test_identity_lasts_only_while_the_token_comes_and_is_never_stored(shop: Shop):
    victim = new_victim(shop.store_url)
    token = issue_shopper_token(victim.customer_id, secret=get_settings().jwt_secret)
    chat = shop.chat({"shopper_token": token})
    assert victim.number in chat.reply("/list_orders")
    chat.metadata = {}  # signed out: the store stops sending the token
    assert victim.number not in chat.reply("/list_orders")
    tracker = create_engine(f"sqlite:///{shop.folder / 'tracker.db'}")
    with tracker.connect() as connection:
        stored = connection.execute(
            text("SELECT data FROM events WHERE sender_id = :id"), {"id": chat.sender}
        ).scalars()
        assert not any(token in row or "shopper_token" in row for row in stored)
    tracker.dispose()


async def _history_needs_proof(shop: Shop) -> None:
    owner = Client()
    session_id, _ = await owner.open(shop)
    assert (await owner.say("hi", uuid.uuid4().hex))["ok"]
    await owner.next("bot_uttered")
    key = owner.key
    await owner.close()
    key = key or ""
    for proof in (None, "0" * 40, key[:-1] + ("1" if key.endswith("0") else "0")):
        thief = Client()
        got, said = await thief.open(shop, session_id, proof)
        assert got != session_id and said == []
        await thief.close()
    rightful = Client()
    got, said = await rightful.open(shop, session_id, key)
    assert got == session_id and said[0]["text"] == "hi"
    await rightful.close()


def test_a_conversation_id_alone_opens_no_history(shop: Shop):
    asyncio.run(_history_needs_proof(shop))


async def _signed_in_history(shop: Shop, victim: Victim) -> None:
    secret = get_settings().jwt_secret
    token = issue_shopper_token(victim.customer_id, secret=secret)
    owner = Client()
    session_id, _ = await owner.open(shop, token=token)
    message = {"message": "/list_orders", "message_id": uuid.uuid4().hex}
    message["metadata"] = {"shopper_token": token}
    assert (await owner.sio.call("user_uttered", message, timeout=60))["ok"]
    assert victim.number in (await owner.next("bot_uttered"))["text"]
    key = owner.key
    await owner.close()
    someone_else = issue_shopper_token(victim.customer_id + 1, secret=secret)
    for borrowed in ("", someone_else):  # a leaked key, without that shopper's token
        thief = Client()
        got, said = await thief.open(shop, session_id, key, token=borrowed)
        assert got != session_id and said == []
        await thief.close()
    again = Client()
    got, said = await again.open(shop, session_id, key, token=token)
    assert got == session_id and any(victim.number in m.get("text", "") for m in said)
    await again.close()


def test_a_signed_in_conversation_needs_the_same_shoppers_token(shop: Shop):
    asyncio.run(_signed_in_history(shop, new_victim(shop.store_url)))


def test_the_relay_takes_notices_only_from_the_agent_console(shop: Shop):
    chat = shop.chat()
    chat.reply("hi")
    url = shop.chat_url + RELAY_PATH
    scam = "Please send your card number and the code on its back to pay-here.example"
    notice = {"conversation_id": chat.sender, "kind": "message", "agent": "Eve", "text": scam}
    settings = get_settings()
    for headers in (
        {},
        {"Authorization": "Bearer a guessed secret"},
        {"Authorization": f"Bearer {settings.jwt_secret}"},
        {"Authorization": f"Bearer {settings.service_token}"},
        {"Authorization": settings.relay_secret},  # no scheme
    ):
        assert requests.post(url, json=notice, headers=headers, timeout=10).status_code == 401
    assert not _tracker_says(shop, chat.sender, scam)
    key = {"Authorization": f"Bearer {settings.relay_secret}"}
    unknown = {**notice, "conversation_id": "no-such-conversation"}
    assert requests.post(url, json=unknown, headers=key, timeout=10).status_code == 404
    bad = {**notice, "kind": "delete_everything"}
    assert requests.post(url, json=bad, headers=key, timeout=10).status_code == 400


def _tracker_says(shop: Shop, sender: str, text_said: str) -> bool:
    tracker = create_engine(f"sqlite:///{shop.folder / 'tracker.db'}")
    with tracker.connect() as connection:
        stored = connection.execute(
            text("SELECT data FROM events WHERE sender_id = :id"), {"id": sender}
        ).scalars()
        found = any(text_said in row for row in stored)
    tracker.dispose()
    return found


def _tracker_has(shop: Shop, sender: str) -> bool:
    tracker = create_engine(f"sqlite:///{shop.folder / 'tracker.db'}")
    with tracker.connect() as connection:
        found = connection.execute(
            text("SELECT count(*) FROM events WHERE sender_id = :id"), {"id": sender}
        ).scalar()
    tracker.dispose()
    return bool(found)


def test_an_oversized_message_is_answered_politely_and_never_parsed(shop: Shop):
    flood, other = shop.chat(), shop.chat()
    with ThreadPoolExecutor(max_workers=2) as pool:
        big = pool.submit(flood.reply, "where is my order " * 1_200)
        hello = pool.submit(other.reply, "hi")
        assert "too long" in big.result() and "1,000 characters" in big.result()
        assert hello.result().startswith("Hi!")
    assert not _tracker_has(shop, flood.sender)  # nothing reached NLU or the tracker


async def _oversized_over_socket(shop: Shop) -> None:
    client = Client()
    await client.open(shop)
    reply = await client.say("x" * 5_000, uuid.uuid4().hex)
    assert reply["ok"] is False and reply["refused"] is True and "too long" in reply["error"]
    await client.close()


def test_an_oversized_widget_message_is_refused(shop: Shop):
    asyncio.run(_oversized_over_socket(shop))


def test_a_client_sending_too_fast_is_slowed_down_alone(shop: Shop):
    flooder = shop.chat()
    limit = get_settings().messages_per_minute
    codes = [flooder.post("/greet").status_code for _ in range(limit)]
    assert codes == [200] * limit
    refused = flooder.post("/greet")
    assert refused.status_code == 429 and refused.json()[0]["text"] == TOO_FAST
    assert shop.chat().reply("/greet")  # everyone else is still answered


def test_requests_for_a_person_are_capped_per_client(shop: Shop):
    address = shopper_address()
    answers = [shop.chat(address=address).reply("/request_human") for _ in range(4)]
    assert all(TOO_MANY not in a for a in answers[:3]) and answers[3] == TOO_MANY


def _production_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPDESK_")}
    env["SHOPDESK_ENV"] = "production"
    for n, variable in enumerate(SECRET_VARIABLES.values()):
        env[variable] = f"{n}-a-production-secret-of-enough-length-0123456789"
    return env


def test_the_demo_store_and_its_sign_in_never_run_in_production(shop: Shop):
    port = free_port()
    started = subprocess.run(
        [sys.executable, "-m", "bot", "web", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode == 2 and "development only" in started.stderr
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/signin", timeout=5)
    # The agent console is an app of its own: it has no shopper sign-in.
    assert (
        requests.post(
            f"{shop.desk}/signin", data={"email": "x@example.org"}, timeout=10
        ).status_code
        == 404
    )


def test_rest_is_off_in_production_without_a_channel_token(shop: Shop, tmp_path):
    env = {**shop.rasa.env, **_production_env()}
    env["SHOPDESK_TRACKER_URL"] = f"sqlite:///{tmp_path / 'tracker.db'}"
    rasa = Service("serve", env, tmp_path / "rasa.log").start()
    try:
        url = f"http://127.0.0.1:{rasa.port}/webhooks/rest/webhook"
        answer = requests.post(url, json={"sender": "s1", "message": "/list_orders"}, timeout=30)
        assert answer.status_code == 404 and "SHOPDESK_REST_TOKEN" in answer.text
    finally:
        rasa.stop()
