"""The chat widget on the demo store, in Debian's Chromium, against the running assistant.

Screenshots of every step go to test-output/browser/ for a reviewer to look at.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, Locator, Page, WebSocketRoute, expect, sync_playwright
from sqlalchemy import func, select

from actions.order_text import STATUS_WORDS
from actions.orders import OPEN
from bot.config import PROJECT_ROOT
from bot.store.db import make_engine, make_session_factory
from bot.store.models import Customer, HandoffTicket, Order, Product, TicketState
from tests.server_process import AGENT_PASSWORD, Shop

pytestmark = pytest.mark.slow

CHROMIUM = os.environ.get("SHOPDESK_CHROMIUM", "/usr/bin/chromium")
SHOTS = PROJECT_ROOT / "test-output" / "browser"
REPLY_TIMEOUT_MS = 60_000
GREETING = "Hi! I'm the Trailhead Outfitters assistant."


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless; a missing browser fails the run rather than skipping it."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()


@dataclass
class Widget:
    """The chat widget on one page, driven the way a shopper drives it."""

    page: Page
    name: str
    dialogs: list[str] = field(default_factory=list)
    step: int = 0

    def __post_init__(self) -> None:
        self.page.on("dialog", self._dialog)
        SHOTS.mkdir(parents=True, exist_ok=True)

    def _dialog(self, dialog) -> None:  # type: ignore[no-untyped-def]
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    @property
    def launcher(self) -> Locator:
        return self.page.get_by_role("button", name="Open chat with the shop assistant")

    @property
    def panel(self) -> Locator:
        return self.page.get_by_role("dialog", name="Chat with the shop assistant")

    @property
    def input(self) -> Locator:
        return self.page.get_by_label("Message to the shop assistant")

    @property
    def bot(self) -> Locator:
        return self.page.locator("#shopdesk-chat .msg.bot")

    @property
    def user(self) -> Locator:
        return self.page.locator("#shopdesk-chat .msg.user")

    def shot(self, what: str) -> None:
        self.step += 1
        self.page.screenshot(path=str(SHOTS / f"{self.name}-{self.step:02d}-{what}.png"))

    def sign_in(self, email: str) -> None:
        """Sign in on the demo store as the seeded customer with this e-mail address."""
        self.page.goto(f"{self.page.url.rstrip('/')}/signin")
        self.page.get_by_label("E-mail").fill(email)
        self.page.get_by_role("button", name="Sign in", exact=True).click()
        expect(self.page.get_by_text("Signed in as")).to_be_visible()

    def open(self) -> None:
        if not self.panel.is_visible():
            self.launcher.click()
        expect(self.panel).to_be_visible()
        expect(self.page.locator("#shopdesk-chat .status")).to_have_text("Online")

    def send(self, text: str) -> None:
        self.input.fill(text)
        self.input.press("Enter")

    def answered(self) -> None:
        """Wait until the server has handled every message the shopper sent."""
        expect(self.user.last).not_to_have_class(re.compile("waiting"), timeout=REPLY_TIMEOUT_MS)
        expect(self.page.locator("#shopdesk-chat .typing")).to_be_hidden()

    def say(self, text: str) -> str:
        """Send a message and return the text of everything the assistant answered."""
        before = self.bot.count()
        self.send(text)
        self.answered()
        return "\n".join(self.bot.nth(i).inner_text() for i in range(before, self.bot.count()))

    def transcript(self) -> list[tuple[str, str]]:
        items = self.page.locator("#shopdesk-chat .msg")
        return [
            (
                "user" if "user" in (items.nth(i).get_attribute("class") or "") else "bot",
                items.nth(i).inner_text(),
            )
            for i in range(items.count())
        ]


@pytest.fixture
def widget(
    browser: Browser, shop: Shop, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Widget]]:
    contexts = []

    def make(**context_options: object) -> Widget:
        context = browser.new_context(**context_options)  # type: ignore[arg-type]
        contexts.append(context)
        page = context.new_page()
        page.goto(shop.site)
        return Widget(page, request.node.name.removeprefix("test_")[:60])

    yield make
    for context in contexts:
        context.close()


def _store(shop: Shop):  # type: ignore[no-untyped-def]
    return make_session_factory(make_engine(shop.store_url))


def test_a_guest_opens_the_widget_and_is_greeted(widget: Callable[..., Widget]):
    chat = widget()
    expect(chat.launcher).to_have_attribute("aria-expanded", "false")
    chat.shot("closed")
    chat.open()
    expect(chat.launcher).to_have_attribute("aria-expanded", "true")
    chat.shot("open")
    assert chat.say("hello there").startswith(GREETING)
    chat.shot("greeted")
    chat.page.keyboard.press("Escape")
    expect(chat.panel).to_be_hidden()
    assert chat.dialogs == []


def test_a_signed_in_shopper_picks_an_order_and_sees_its_real_status(
    widget: Callable[..., Widget], shop: Shop
):
    with _store(shop)() as session:
        customer = (
            session.execute(
                select(Customer)
                .join(Order)
                .where(Order.status.in_(OPEN))
                .group_by(Customer.id)
                .having(func.count(Order.id) >= 2)
                .order_by(Customer.id)
            )
            .scalars()
            .first()
        )
        assert customer is not None
        open_orders = {o.number: o.status for o in customer.orders if o.status in OPEN}
        email = customer.email
    chat = widget()
    chat.sign_in(email)
    chat.open()
    asked = chat.say("where is my order?")
    assert "Which one do you mean?" in asked
    choices = chat.page.locator("#shopdesk-chat .quick button")
    expect(choices).to_have_count(len(open_orders))
    chat.shot("orders-offered")
    first = choices.first
    number = re.search(r"Order (\d+)", first.inner_text()).group(1)  # type: ignore[union-attr]
    before = chat.bot.count()
    first.click()
    chat.answered()
    expect(chat.page.locator("#shopdesk-chat .quick")).to_have_count(0)
    answer = chat.bot.nth(before).inner_text()
    assert f"Order {number}" in answer
    assert f"is {STATUS_WORDS[open_orders[number]]}." in answer
    assert chat.user.last.inner_text().startswith(f"Order {number}")  # the title, not the payload
    chat.shot("status")


def test_a_product_search_shows_cards_that_lead_to_the_product(
    widget: Callable[..., Widget], shop: Shop
):
    chat = widget()
    chat.open()
    chat.say("show me running shoes")
    cards = chat.page.locator("#shopdesk-chat .card")
    expect(cards.first).to_be_visible()
    assert 1 <= cards.count() <= 5
    chat.shot("cards")
    titles = [cards.nth(i).locator("h3").inner_text() for i in range(cards.count())]
    with _store(shop)() as session:
        found = session.execute(select(Product).where(Product.title.in_(titles))).scalars().all()
        assert {p.title for p in found} == set(titles)
        assert all("run" in f"{p.title} {p.category}".lower() for p in found)
    expect(cards.first.locator(".price")).to_have_text(re.compile(r"^€\d+\.\d\d$"))
    expect(cards.first.locator(".reason")).to_have_text(re.compile(r"\w"))  # why it is shown
    expect(cards.first.locator("img")).to_have_js_property("complete", True)
    cards.first.get_by_role("link").click()
    expect(chat.page.get_by_role("heading", level=1)).to_have_text(titles[0])
    # A new page: the same conversation, still open, and it carries on.
    expect(chat.panel).to_be_visible()
    expect(chat.page.locator("#shopdesk-chat .card")).to_have_count(len(titles))
    assert chat.say("thanks!").startswith("You're welcome")
    chat.shot("product-page")


def card_titles(cards: Locator) -> list[str]:
    return [cards.nth(i).locator("h3").inner_text() for i in range(cards.count())]


def card_prices(cards: Locator) -> list[float]:
    return [float(cards.nth(i).locator(".price").inner_text()[1:]) for i in range(cards.count())]


def test_a_cards_buttons_ask_for_more_like_it_then_cheaper_and_what_goes_with_it(
    widget: Callable[..., Widget],
):
    chat = widget()
    chat.open()
    chat.say("show me rain jackets")
    first_answer = chat.page.locator("#shopdesk-chat .cards").last.locator(".card")
    expect(first_answer.first).to_be_visible()
    chosen = card_titles(first_answer)[1]
    the_chosen = chosen if chosen.startswith("The ") else f"the {chosen}"
    first_answer.nth(1).get_by_role("button", name=f"More like {the_chosen}").click()
    chat.answered()
    assert chat.user.last.inner_text() == f"More like {the_chosen}"  # not the payload
    expect(chat.bot.last).to_contain_text(f"More like {the_chosen}:")
    similar = chat.page.locator("#shopdesk-chat .cards").last.locator(".card")
    expect(similar.first).to_be_visible()
    assert chosen not in card_titles(similar)
    chat.shot("more-like-this")
    in_focus, focus_price = card_titles(similar)[0], card_prices(similar)[0]
    answer = chat.say("anything cheaper?")
    assert answer.startswith("Cheaper than ") and f"{in_focus} (€" in answer
    assert "the The " not in answer
    cheaper = chat.page.locator("#shopdesk-chat .cards").last.locator(".card")
    assert cheaper.count() >= 1 and all(p < focus_price for p in card_prices(cheaper))
    chat.shot("cheaper")
    partner = card_titles(cheaper)[0]
    cheaper.first.get_by_role(
        "button", name=re.compile(f"^What goes with (the )?{re.escape(partner)}")
    ).click()
    chat.answered()
    expect(chat.bot.last).to_contain_text(partner)
    chat.shot("goes-with")
    assert chat.dialogs == []


def test_a_signed_in_shopper_sees_what_they_bought_last_time(
    widget: Callable[..., Widget], shop: Shop
):
    with _store(shop)() as session:
        last = (
            session.execute(select(Order).order_by(Order.created_at.desc(), Order.id.desc()))
            .scalars()
            .first()
        )
        email, number = last.customer.email, last.number
        bought = [line.product.title for line in last.lines]
    chat = widget()
    chat.sign_in(email)
    chat.open()
    answer = chat.say("what did I buy last time?")
    assert "Your recent orders:" in answer and f"order {number}" in answer
    cards = chat.page.locator("#shopdesk-chat .cards").last.locator(".card")
    assert card_titles(cards) == bought
    expect(cards.first.locator(".reason")).to_have_text(re.compile(r"^you bought \d"))
    chat.shot("last-purchase")


def test_a_reload_keeps_the_conversation_and_it_carries_on(widget: Callable[..., Widget]):
    chat = widget()
    chat.open()
    chat.say("hi")
    chat.say("which payment methods do you accept?")
    before = chat.transcript()
    chat.page.reload()
    expect(chat.panel).to_be_visible()
    expect(chat.page.locator("#shopdesk-chat .msg")).to_have_count(len(before))
    assert chat.transcript() == before
    chat.shot("reloaded")
    assert chat.say("thank you").startswith("You're welcome")
    assert [text for who, text in chat.transcript() if who == "user"] == [
        "hi",
        "which payment methods do you accept?",
        "thank you",
    ]


def test_html_in_a_message_is_shown_as_text_and_runs_nothing(widget: Callable[..., Widget]):
    chat = widget()
    chat.open()
    attack = "<img src=x onerror=alert(1)>"
    chat.say(attack)
    expect(chat.user.last).to_have_text(attack)
    assert chat.page.locator("#shopdesk-chat img[src='x']").count() == 0
    assert chat.page.locator("#shopdesk-chat .log img:not(.card img)").count() == 0
    chat.shot("injection")
    assert chat.dialogs == []


def test_the_widget_works_on_a_phone(widget: Callable[..., Widget]):
    chat = widget(
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    chat.shot("phone-closed")
    chat.open()
    box = chat.panel.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert chat.say("hi").startswith(GREETING)
    chat.say("show me a yoga mat")
    expect(chat.input).to_be_in_viewport()
    chat.shot("phone-chat")
    chat.page.get_by_role("button", name="Close chat").click()
    expect(chat.launcher).to_be_visible()


@dataclass
class Line:
    """Sits between the page and the Rasa server's websocket: can cut it, or hold replies."""

    routes: list[WebSocketRoute] = field(default_factory=list)
    servers: list[WebSocketRoute] = field(default_factory=list)
    accepting: bool = True
    holding: bool = False
    held: list[tuple[WebSocketRoute, str | bytes]] = field(default_factory=list)

    def handle(self, ws: WebSocketRoute) -> None:
        if not self.accepting:
            ws.close()
            return
        server = ws.connect_to_server()
        self.routes.append(ws)
        self.servers.append(server)
        server.on_message(lambda message: self._from_server(ws, message))

    def _from_server(self, ws: WebSocketRoute, message: str | bytes) -> None:
        if self.holding:
            self.held.append((ws, message))
        else:
            ws.send(message)

    def cut(self) -> None:
        self.accepting = False
        for ws, server in zip(self.routes, self.servers, strict=True):
            server.close()
            ws.close()

    def release(self) -> None:
        self.holding = False
        for ws, message in self.held:
            ws.send(message)
        self.held.clear()


def test_unread_replies_show_on_the_launcher(widget: Callable[..., Widget]):
    chat = widget()
    line = Line()
    chat.page.route_web_socket(re.compile(r"/socket\.io/"), line.handle)
    chat.page.reload()
    chat.open()
    line.holding = True
    chat.send("hi")
    chat.page.get_by_role("button", name="Close chat").click()
    line.release()
    badge = chat.page.locator("#shopdesk-chat .badge")
    expect(badge).to_have_text("1", timeout=REPLY_TIMEOUT_MS)
    chat.shot("unread")
    chat.launcher.click()
    expect(badge).to_be_hidden()
    expect(chat.bot.last).to_contain_text(GREETING)


def test_a_dropped_connection_loses_and_duplicates_nothing(widget: Callable[..., Widget]):
    chat = widget()
    line = Line()
    chat.page.route_web_socket(re.compile(r"/socket\.io/"), line.handle)
    chat.page.reload()
    chat.open()
    chat.send("hi")
    line.cut()  # the reply to "hi" may be on its way: it must not be lost
    expect(chat.page.locator("#shopdesk-chat .status")).to_have_text("Reconnecting…")
    chat.send("thanks")
    expect(chat.user.last).to_have_class(re.compile("waiting"))
    chat.shot("offline")
    line.accepting = True
    expect(chat.page.locator("#shopdesk-chat .status")).to_have_text(
        "Online", timeout=REPLY_TIMEOUT_MS
    )
    chat.answered()
    expected_users = ["hi", "thanks"]
    transcript = chat.transcript()
    assert [text for who, text in transcript if who == "user"] == expected_users
    bot_texts = [text for who, text in transcript if who == "bot"]
    assert len(bot_texts) == 2
    assert bot_texts[0].startswith(GREETING) and bot_texts[1].startswith("You're welcome")
    chat.shot("reconnected")
    chat.page.reload()
    expect(chat.page.locator("#shopdesk-chat .msg")).to_have_count(len(transcript))
    assert chat.transcript() == transcript


def test_messages_typed_offline_are_answered_in_order_each_under_its_own(
    widget: Callable[..., Widget],
):
    chat = widget()
    line = Line()
    chat.page.route_web_socket(re.compile(r"/socket\.io/"), line.handle)
    chat.page.reload()
    chat.open()
    status = chat.page.locator("#shopdesk-chat .status")
    line.cut()
    expect(status).to_have_text("Reconnecting…")
    chat.send("hi")
    chat.send("thanks")  # both wait; the second goes only when the first is answered
    line.accepting = True
    expect(status).to_have_text("Online", timeout=REPLY_TIMEOUT_MS)
    chat.answered()
    transcript = chat.transcript()
    assert [who for who, _ in transcript] == ["user", "bot", "user", "bot"]
    assert transcript[0][1] == "hi" and transcript[1][1].startswith(GREETING)
    assert transcript[2][1] == "thanks" and transcript[3][1].startswith("You're welcome")
    chat.page.reload()  # the server's history reads the same
    expect(chat.page.locator("#shopdesk-chat .msg")).to_have_count(4)
    assert chat.transcript() == transcript


def test_a_person_takes_over_replies_live_hands_back_and_is_rated(
    widget: Callable[..., Widget], browser: Browser, shop: Shop
):
    chat = widget()
    chat.open()
    # No one on duty: the request becomes a case, and an e-mail answer is offered.
    offer = chat.say("I want to talk to a real person please")
    assert "no one from our team is online" in offer
    chat.shot("no-one-on-duty")
    chat.page.get_by_role("button", name="No, thanks").click()
    chat.answered()
    expect(chat.bot.last).to_contain_text("stays open")

    # The agent, in a browser of their own, comes on duty by signing in.
    desk = browser.new_context()
    try:
        console = desk.new_page()
        console.goto(f"{shop.desk}/agent/")
        expect(console).to_have_url(re.compile("/agent/signin$"))
        console.get_by_label("Username").fill(shop.new_agent("Ana"))
        console.get_by_label("Password").fill(AGENT_PASSWORD)
        console.get_by_role("button", name="Sign in").click()
        expect(console.get_by_text("Signed in as Ana")).to_be_visible()

        chat.send("can I talk to a person now?")
        notice = chat.page.locator("#shopdesk-chat .notice")
        expect(notice.last).to_contain_text("in the queue", timeout=REPLY_TIMEOUT_MS)
        expect(chat.page.locator("#shopdesk-chat h2")).to_have_text("Waiting for a person…")
        chat.shot("waiting")
        with _store(shop)() as session:
            ticket_id = session.execute(
                select(HandoffTicket.id)
                .where(HandoffTicket.state == TicketState.WAITING)
                .order_by(HandoffTicket.id.desc())
            ).scalar()
        waiting = console.locator(f'#waiting button[data-ticket="{ticket_id}"]')
        expect(waiting).to_be_visible(timeout=10_000)
        console.screenshot(path=str(SHOTS / f"{chat.name}-agent-queue.png"))
        waiting.click()
        transcript = console.get_by_label("Transcript")
        expect(transcript).to_contain_text("can I talk to a person now?")
        console.get_by_role("button", name="Take conversation").click()
        expect(notice.last).to_have_text("Ana from our team has joined the chat.", timeout=10_000)
        expect(chat.page.locator("#shopdesk-chat h2")).to_have_text("Ana · our team")

        console.get_by_label("Reply to the shopper").fill("Hi, I'm Ana. How can I help?")
        console.get_by_role("button", name="Send").click()
        from_agent = chat.page.locator("#shopdesk-chat .msg.agent")
        expect(from_agent.last).to_contain_text("Hi, I'm Ana. How can I help?", timeout=10_000)
        expect(from_agent.last.locator(".from")).to_have_text("Ana")
        chat.shot("agent-replied")

        chat.send("My parcel is late, order 100042")
        chat.answered()
        expect(transcript).to_contain_text("My parcel is late, order 100042", timeout=10_000)
        console.screenshot(path=str(SHOTS / f"{chat.name}-agent-conversation.png"))
        console.get_by_role("button", name="Hand back to assistant").click()
        expect(notice.last).to_contain_text("back with the assistant", timeout=10_000)
        expect(chat.page.locator("#shopdesk-chat h2")).to_have_text("Shop assistant")
    finally:
        desk.request.post(f"{shop.desk}/agent/api/signout", data={})  # off duty again
        desk.close()

    stars = chat.page.get_by_role("group", name="Rate the help you got").get_by_role("button")
    expect(stars).to_have_count(5)
    chat.shot("rating-asked")
    before = chat.bot.count()
    chat.page.get_by_role("button", name="Rate 4 out of 5").click()
    chat.answered()
    expect(chat.bot.nth(before)).to_contain_text("Thank you for rating Ana 4 out of 5")
    assert chat.user.last.inner_text() == "Rated 4 out of 5"
    assert chat.say("hi").startswith(GREETING)  # the assistant answers again
    chat.shot("rated")
    with _store(shop)() as session:
        ticket = session.get(HandoffTicket, ticket_id)
        assert (ticket.state, ticket.rating) == (TicketState.CLOSED, 4)
    chat.page.reload()
    chat.open()
    expect(chat.page.locator("#shopdesk-chat .msg.agent")).to_contain_text("Hi, I'm Ana.")
    assert chat.dialogs == []
