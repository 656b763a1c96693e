"""Answers from policy data, product search, support cases, newsletter, and a store that is down."""

from __future__ import annotations

import re
import time
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from actions.info import ActionAnswerQuestion
from actions.orders import ActionOrderStatus
from actions.products import SEARCH_SLOTS, ActionProductDetails, ActionProductSearch
from actions.store_access import UNAVAILABLE_TEXT, session_factory
from actions.support import TOO_MANY_CASES, ActionNewsletter, ActionOpenCase
from bot.config import get_settings
from bot.store.models import CaseKind, Customer, OrderStatus, Policy, Product, SupportCase
from tests.actions.store_picks import pick, signed_in
from tests.rasa_helpers import make_tracker, run_action, slot_events, texts


@pytest.mark.parametrize(
    ("intent", "expected"),
    [
        ("ask_return_policy", "within 30 days of delivery"),
        ("ask_warranty", "24-month warranty"),
        ("ask_price_match", "within 14 days"),
        ("ask_invoice", "invoice with VAT"),
        ("shipping_info", "- Standard delivery: €4.95, free over €50.00, 2–5 working days"),
        ("payment_methods", "- PayPal"),
    ],
)
def test_questions_are_answered_from_the_policy_data(
    store: sessionmaker, intent: str, expected: str
):
    events, messages = run_action(ActionAnswerQuestion(), make_tracker(intent=intent))
    assert expected in texts(messages)[0]
    assert events == []


def test_policy_answers_follow_the_data(store: sessionmaker):
    with store.begin() as session:
        session.get(Policy, "returns").params = {"window_days": 60, "free_returns": True}
    _, messages = run_action(ActionAnswerQuestion(), make_tracker(intent="ask_return_policy"))
    assert "within 60 days of delivery" in texts(messages)[0]


def test_small_talk_uses_the_domain_responses(store: sessionmaker):
    _, messages = run_action(ActionAnswerQuestion(), make_tracker(intent="bot_challenge"))
    assert messages[0]["response"] == "utter_bot_challenge"


def test_product_search_respects_every_filter(store: sessionmaker):
    entities = [
        {"entity": "product", "value": "running shoes"},
        {"entity": "max_price", "value": "$120"},
    ]
    tracker = make_tracker(
        text="running shoes under $120",
        intent="product_search",
        entities=entities,
        slots={"product": "running shoes", "max_price": "$120", "colour": "black"},
    )
    events, messages = run_action(ActionProductSearch(), tracker)
    [text] = texts(messages)
    assert text.startswith("Here's what I found:")
    prices = [Decimal(p) for p in re.findall(r"€(\d+\.\d\d)", text)]
    assert prices and all(p <= 120 for p in prices)
    slots = slot_events(events)
    assert all(slots[name] is None for name in SEARCH_SLOTS)  # no leak into the next search
    assert slots["last_search"] == {
        "text": "running shoes",
        "colour": "black",
        "max_price": "120",
    }  # kept for "cheaper" and "in blue"
    assert len(slots["shown_products"]) == len(prices)


def test_product_search_sends_cards_to_the_chat_widget(store: sessionmaker):
    tracker = make_tracker(
        text="show me waterproof jackets",
        intent="product_search",
        slots={"product": "waterproof jackets"},
        input_channel="socketio",
    )
    _, messages = run_action(ActionProductSearch(), tracker)
    [message] = messages
    payload = message["custom"]
    assert payload["type"] == "product_cards" and payload["text"] == "Here's what I found:"
    assert 1 <= len(payload["products"]) <= 5
    with store() as session:
        for card in payload["products"]:
            product = session.execute(
                select(Product).where(Product.sku == card["sku"])
            ).scalar_one()
            assert card["title"] == product.title and card["url"] == f"/products/{product.sku}"
            assert card["price"] == f"€{product.price:.2f}" and card["image"] == product.image_url
            assert "jacket" in card["reason"] or "waterproof" in card["reason"]


def test_product_details_with_stock(store: sessionmaker):
    _, messages = run_action(
        ActionProductDetails(),
        make_tracker(
            text="is the garmin watch in stock",
            slots={"product": "GPS Running Watch", "brand": "Garmin"},
        ),
    )
    [text] = texts(messages)
    assert text.startswith("Garmin ") and "GPS Running Watch" in text
    assert "In stock in" in text or "out of stock" in text


@pytest.mark.parametrize(
    ("intent", "kind"),
    [
        ("complaint", CaseKind.COMPLAINT),
        ("payment_problem", CaseKind.PAYMENT_PROBLEM),
        ("feedback", CaseKind.FEEDBACK),
    ],
)
def test_cases_keep_what_the_shopper_said(store: sessionmaker, intent: str, kind: CaseKind):
    said = "I was charged twice for the same jacket and nobody answers my e-mails"
    _, messages = run_action(ActionOpenCase(), make_tracker(text=said, intent=intent))
    with store() as session:
        case = (
            session.execute(select(SupportCase).order_by(SupportCase.id.desc())).scalars().first()
        )
    assert (case.kind, case.summary, case.conversation_id) == (
        kind,
        said,
        "conversation-under-test",
    )
    assert f"#{case.id}" in texts(messages)[0]


def test_one_conversation_cannot_flood_the_team_with_cases(store: sessionmaker):
    tracker = make_tracker(text="my parcel never came", intent="complaint")
    replies = [texts(run_action(ActionOpenCase(), tracker)[1])[0] for _ in range(4)]
    assert all("#" in r for r in replies[:3]) and replies[3] == TOO_MANY_CASES
    with store() as session:
        opened = session.execute(
            select(SupportCase.id).where(SupportCase.conversation_id == tracker.sender_id)
        ).all()
    assert len(opened) == 3


def test_account_deletion_needs_a_signed_in_shopper(store: sessionmaker):
    _, messages = run_action(
        ActionOpenCase(), make_tracker(text="delete my account", intent="delete_account")
    )
    assert "signed-in shopper" in texts(messages)[0]
    with store() as session:
        assert session.execute(select(SupportCase)).first() is None


def test_newsletter_for_a_signed_in_shopper_is_saved(store: sessionmaker):
    order = pick(store, OrderStatus.DELIVERED)
    for intent, expected in (("newsletter_subscribe", True), ("newsletter_unsubscribe", False)):
        run_action(
            ActionNewsletter(), make_tracker(intent=intent, metadata=signed_in(order.customer_id))
        )
        with store() as session:
            assert session.get(Customer, order.customer_id).newsletter is expected


def test_a_dead_database_gets_a_polite_answer_fast(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SHOPDESK_DB_URL", "postgresql://postgres@127.0.0.1:1/nowhere")
    monkeypatch.setenv("SHOPDESK_DB_TIMEOUT", "2")
    get_settings.cache_clear()
    session_factory.cache_clear()
    try:
        started = time.monotonic()
        events, messages = run_action(
            ActionOrderStatus(),
            make_tracker(slots={"order_number": "100010", "verified_orders": ["100010"]}),
        )
        assert texts(messages) == [UNAVAILABLE_TEXT]
        assert events == []
        assert time.monotonic() - started < 6
        _, small_talk = run_action(ActionAnswerQuestion(), make_tracker(intent="chitchat"))
        assert small_talk[0]["response"] == "utter_chitchat"
    finally:
        get_settings.cache_clear()
        session_factory.cache_clear()


def test_cancellation_rules_and_ways_to_reach_the_team_come_from_the_store(store: sessionmaker):
    cancel = make_tracker(text="are cancellations free?", intent="ask_cancel_policy")
    _, messages = run_action(ActionAnswerQuestion(), cancel)
    assert "free of charge until it ships" in texts(messages)[0]
    contact = make_tracker(text="when is customer service open?", intent="ask_contact")
    _, messages = run_action(ActionAnswerQuestion(), contact)
    [text] = texts(messages)
    assert "Monday to Friday" in text and "help@trailhead-outfitters.example" in text
