"""Attacks on the real running agent console: password guessing, forged forms, cookies, audit.

Each test is an attack that worked before the defences were built: unlimited password guesses,
an unknown username answered faster than a wrong password, a cross-site form that signed a
browser in or out, an agent cookie sent over plain HTTP behind an HTTPS proxy, and transcripts
read with no trace of who read them.
"""

from __future__ import annotations

import http.client
import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import pytest
import requests
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bot.handoff.agents import SIGNIN_FAILURES_PER_CLIENT, SIGNIN_FAILURES_PER_USERNAME
from bot.handoff.audit import audit_trail
from bot.handoff.tickets import Line, open_ticket
from bot.store.db import make_engine, make_session_factory, session_scope
from bot.store.models import Agent, AgentSession
from tests.server_process import AGENT_PASSWORD, Shop, shopper_address

pytestmark = pytest.mark.slow

TOKEN_FIELD = re.compile(r'name="form_token" value="([^"]+)"')


class Desk:
    """The running console, and the agents this test made (signed out again afterwards)."""

    def __init__(self, shop: Shop) -> None:
        self.shop = shop
        self.base = f"{shop.desk}/agent"
        self.usernames: list[str] = []

    def new_agent(self, name: str = "Ana") -> str:
        username = self.shop.new_agent(name)
        self.usernames.append(username)
        return username

    @contextmanager
    def store(self) -> Iterator[Session]:
        """A session on the running shop's store; commits at the end."""
        engine = make_engine(self.shop.store_url)
        try:
            with session_scope(make_session_factory(engine)) as session:
                yield session
        finally:
            engine.dispose()

    def sessions_of(self, username: str) -> int:
        """How many console sessions the agent has in the store."""
        with self.store() as session:
            return int(
                session.execute(
                    select(func.count(AgentSession.id))
                    .join(Agent, Agent.id == AgentSession.agent_id)
                    .where(Agent.username == username)
                ).scalar_one()
            )

    def agent_id(self, username: str) -> int:
        with self.store() as session:
            return int(
                session.execute(select(Agent.id).where(Agent.username == username)).scalar_one()
            )

    def api_signin(
        self, username: str, password: str, client: str, **headers: str
    ) -> requests.Response:
        return requests.post(
            f"{self.base}/api/signin",
            json={"username": username, "password": password},
            headers={"X-Forwarded-For": client, **headers},
            timeout=20,
        )

    def sign_everyone_out(self) -> None:
        """Later tests (the widget's handoff) expect nobody on duty."""
        with self.store() as session:
            named = select(Agent.id).where(Agent.username.in_(self.usernames))
            ids = list(session.execute(named).scalars())
            session.execute(delete(AgentSession).where(AgentSession.agent_id.in_(ids)))
            session.execute(update(Agent).where(Agent.id.in_(ids)).values(on_duty=False))


class Browser:
    """One browser on the console's HTML pages, behind the load balancer at its own address."""

    def __init__(self, desk: Desk, client: str = "") -> None:
        self.desk = desk
        self.http = requests.Session()
        self.http.headers["X-Forwarded-For"] = client or shopper_address()

    def token(self, path: str) -> str:
        page = self.http.get(f"{self.desk.base}{path}", timeout=10)
        page.raise_for_status()
        found = TOKEN_FIELD.search(page.text)
        assert found, f"no form token on {path}"
        return found.group(1)

    def post(self, path: str, form: dict[str, str]) -> requests.Response:
        return self.http.post(
            f"{self.desk.base}{path}", data=form, allow_redirects=False, timeout=20
        )

    def sign_in(self, username: str, password: str, token: str) -> requests.Response:
        return self.post(
            "/signin", {"username": username, "password": password, "form_token": token}
        )

    def queue(self) -> requests.Response:
        return self.http.get(f"{self.desk.base}/api/queue", timeout=10)


def set_cookies(answer: requests.Response) -> dict[str, set[str]]:
    """Each cookie the answer sets, with its attributes in lower case."""
    cookies = {}
    for header in answer.raw.headers.getlist("Set-Cookie"):
        name_value, *attributes = (part.strip() for part in header.split(";"))
        cookies[name_value.split("=")[0]] = {a.lower() for a in attributes}
    return cookies


def answer_of(answer: requests.Response) -> tuple[int, str]:
    return answer.status_code, answer.text


@pytest.fixture
def desk(shop: Shop) -> Iterator[Desk]:
    running = Desk(shop)
    yield running
    running.sign_everyone_out()


def test_guessing_a_password_is_throttled_then_even_the_right_one_is_refused(desk: Desk):
    username, client = desk.new_agent(), shopper_address()
    wrong = [
        desk.api_signin(username, f"guess number {n}", client)
        for n in range(SIGNIN_FAILURES_PER_USERNAME)
    ]
    assert {answer_of(a) for a in wrong} == {answer_of(wrong[0])}
    assert wrong[0].status_code == 401

    right = desk.api_signin(username, AGENT_PASSWORD, client)
    assert answer_of(right) == answer_of(wrong[0])  # no oracle: throttled looks like wrong
    assert "shopdesk_agent" not in set_cookies(right)
    assert answer_of(desk.api_signin(username, AGENT_PASSWORD, shopper_address())) == answer_of(
        wrong[0]
    )  # the username is locked from every address
    assert desk.sessions_of(username) == 0

    colleague = desk.new_agent("Bo")  # the same office signs in as someone else
    assert desk.api_signin(colleague, AGENT_PASSWORD, client).status_code == 200


def test_guessing_across_usernames_from_one_address_is_throttled(desk: Desk):
    username, client = desk.new_agent(), shopper_address()
    for n in range(SIGNIN_FAILURES_PER_CLIENT):
        assert desk.api_signin(f"guess-{n}", AGENT_PASSWORD, client).status_code == 401
    refused = desk.api_signin(username, AGENT_PASSWORD, client)
    assert answer_of(refused) == (401, desk.api_signin("guess-0", "x", shopper_address()).text)
    assert desk.api_signin(username, AGENT_PASSWORD, shopper_address()).status_code == 200


def test_the_sign_in_form_is_throttled_with_the_page_a_wrong_password_gets(desk: Desk):
    username, browser = desk.new_agent(), Browser(desk)
    token = browser.token("/signin")
    wrong = [
        browser.sign_in(username, "a wrong password", token)
        for _ in range(SIGNIN_FAILURES_PER_USERNAME)
    ]
    assert {answer_of(a) for a in wrong} == {answer_of(wrong[0])}
    assert wrong[0].status_code == 401 and "Wrong username or password." in wrong[0].text

    right = browser.sign_in(username, AGENT_PASSWORD, token)
    assert answer_of(right) == answer_of(wrong[0])
    assert "shopdesk_agent" not in set_cookies(right)
    assert desk.sessions_of(username) == 0


def test_an_unknown_username_gets_the_answer_of_a_wrong_password_as_slowly(desk: Desk):
    username, client = desk.new_agent(), shopper_address()
    unknown = f"nobody-{username}"

    def fastest(name: str) -> tuple[float, set[tuple[int, str]]]:
        times, answers = [], set()
        for _ in range(3):
            started = time.perf_counter()
            answer = desk.api_signin(name, "a wrong password", client)
            times.append(time.perf_counter() - started)
            answers.add(answer_of(answer))
        return min(times), answers

    known_s, known = fastest(username)
    unknown_s, not_known = fastest(unknown)
    assert known == not_known and len(known) == 1
    # Without the stand-in hash an unknown name answers in a few ms, scrypt in tens.
    assert unknown_s > 0.5 * known_s, (unknown_s, known_s)

    browser = Browser(desk)
    token = browser.token("/signin")
    by_form = browser.sign_in(username, "a wrong password", token)
    assert answer_of(browser.sign_in(unknown, "a wrong password", token)) == answer_of(by_form)


def test_a_sign_in_form_without_its_token_signs_nobody_in(desk: Desk):
    username = desk.new_agent()
    form = {"username": username, "password": AGENT_PASSWORD}

    bare = requests.post(f"{desk.base}/signin", data=form, allow_redirects=False, timeout=10)
    assert bare.status_code == 403 and not set_cookies(bare)
    as_text = requests.post(  # what a cross-site form with enctype=text/plain sends the API
        f"{desk.base}/api/signin",
        data=json.dumps(form),
        headers={"Content-Type": "text/plain"},
        timeout=10,
    )
    assert as_text.status_code == 415 and not set_cookies(as_text)

    attacker, victim = Browser(desk), Browser(desk)
    attackers_token = attacker.token("/signin")  # valid, but for the attacker's own cookie
    victim.token("/signin")
    forged = victim.post("/signin", {**form, "form_token": attackers_token})
    assert forged.status_code == 403 and "shopdesk_agent" not in set_cookies(forged)
    assert desk.sessions_of(username) == 0

    signed_in = victim.sign_in(username, AGENT_PASSWORD, victim.token("/signin"))
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/agent/"
    assert desk.sessions_of(username) == 1 and victim.queue().status_code == 200


def test_a_sign_out_form_without_its_token_signs_nobody_out(desk: Desk):
    ana, bo = Browser(desk), Browser(desk)
    username = desk.new_agent()
    assert ana.sign_in(username, AGENT_PASSWORD, ana.token("/signin")).status_code == 302
    assert bo.sign_in(desk.new_agent("Bo"), AGENT_PASSWORD, bo.token("/signin")).status_code == 302

    assert ana.post("/signout", {}).status_code == 403
    assert ana.post("/signout", {"form_token": bo.token("/")}).status_code == 403
    still = ana.queue()
    assert still.status_code == 200 and still.json()["on_duty"] is True
    assert desk.sessions_of(username) == 1

    signed_out = ana.post("/signout", {"form_token": ana.token("/")})
    assert signed_out.status_code == 302 and signed_out.headers["Location"] == "/agent/signin"
    assert ana.queue().status_code == 401 and desk.sessions_of(username) == 0


def test_the_agent_cookie_is_secure_when_the_trusted_proxy_says_https(desk: Desk):
    username = desk.new_agent()
    over_https = desk.api_signin(
        username, AGENT_PASSWORD, shopper_address(), **{"X-Forwarded-Proto": "https"}
    )
    assert over_https.status_code == 200
    cookie = set_cookies(over_https)["shopdesk_agent"]
    assert {"secure", "httponly", "samesite=strict", "path=/agent"} <= cookie

    plain = desk.api_signin(username, AGENT_PASSWORD, shopper_address())
    assert "secure" not in set_cookies(plain)["shopdesk_agent"]  # development, plain HTTP

    # The header means nothing from anyone but the proxy (127.0.0.1 in the test shop).
    outsider = http.client.HTTPConnection(
        "127.0.0.1", desk.shop.console.port, timeout=20, source_address=("127.0.0.2", 0)
    )
    body = json.dumps({"username": username, "password": AGENT_PASSWORD})
    outsider.request(
        "POST",
        "/agent/api/signin",
        body=body,
        headers={"Content-Type": "application/json", "X-Forwarded-Proto": "https"},
    )
    spoofed = outsider.getresponse()
    assert spoofed.status == 200
    cookie_header = spoofed.getheader("Set-Cookie") or ""
    assert "shopdesk_agent=" in cookie_header and "Secure" not in cookie_header
    outsider.close()


def test_opening_a_ticket_is_written_to_the_audit_log(desk: Desk):
    secret_text = "my door code is 4321"
    with desk.store() as session:
        ticket = open_ticket(
            session,
            conversation_id=f"audit-{shopper_address()}",
            reason="asked for a person",
            transcript=[Line("shopper", secret_text, datetime.utcnow())],
            frustration=[0.4],
            now=datetime.utcnow(),
        )
        session.flush()
        ticket_id = ticket.id
    username = desk.new_agent()
    signed_in = desk.api_signin(username, AGENT_PASSWORD, shopper_address())
    bearer = {"Authorization": f"Bearer {signed_in.json()['token']}"}

    opened = requests.get(f"{desk.base}/api/tickets/{ticket_id}", headers=bearer, timeout=10)
    assert opened.status_code == 200 and opened.json()["lines"][0]["text"] == secret_text
    polled = requests.get(
        f"{desk.base}/api/tickets/{ticket_id}?after=0", headers=bearer, timeout=10
    )
    assert polled.status_code == 200

    agent_id = desk.agent_id(username)
    with desk.store() as session:
        rows = [(r.agent_id, r.action) for r in audit_trail(session, ticket_id=ticket_id)]
        assert rows == [(agent_id, "opened")]  # the console's polling adds no rows
        mine = audit_trail(session, agent_id=agent_id)
        assert [r.action for r in mine] == ["signed_in", "opened"]
        assert all(secret_text not in r.detail for r in mine)
