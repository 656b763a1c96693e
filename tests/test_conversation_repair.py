"""Conversations that change course, end to end: the real Rasa server, action server and store.

Several requests in one message, a new task in the middle of a form, "never mind", a yes that
repeats the action, a house number that is not an order number, a correction at the
confirmation, general questions answered in general, and product follow-ups.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot.store.db import make_engine, make_session_factory
from bot.store.models import Order, OrderStatus
from tests.server_process import Shop

pytestmark = pytest.mark.slow

ASKS_FOR_ORDER = re.compile(r"order number\?|which order", re.IGNORECASE)
NOT_UNDERSTOOD = re.compile(r"not sure I understood|didn't quite get that", re.IGNORECASE)


def last_order(shop: Shop, status: OrderStatus) -> tuple[str, str]:
    """The latest order in that state, which no other test acts on, and its e-mail.

    Latest by date: orders the security tests add for their victims are dated years back."""
    engine = make_engine(shop.store_url)
    try:
        with make_session_factory(engine)() as session:
            order = (
                session.execute(
                    select(Order).where(Order.status == status).order_by(Order.created_at.desc())
                )
                .scalars()
                .first()
            )
            assert order is not None
            return order.number, order.customer.email
    finally:
        engine.dispose()


def order_status(shop: Shop, number: str) -> OrderStatus:
    engine = make_engine(shop.store_url)
    try:
        with make_session_factory(engine)() as session:
            return session.execute(select(Order.status).where(Order.number == number)).scalar_one()
    finally:
        engine.dispose()


def test_two_questions_in_one_message_are_both_answered_in_order(shop: Shop):
    reply = shop.chat().reply("what does express delivery cost, and can I pay by Klarna?")
    assert "Express delivery" in reply and "Klarna" in reply
    assert reply.index("Express delivery") < reply.index("Klarna")


def test_never_mind_ends_the_task_and_the_next_question_is_not_nagged(shop: Shop):
    chat = shop.chat()
    assert ASKS_FOR_ORDER.search(chat.reply("I'd like to send something back"))
    reply = chat.reply("no, forget it, I'm keeping it. What payment methods do you take?")
    assert "changed nothing" in reply and "PayPal" in reply
    assert not ASKS_FOR_ORDER.search(reply)
    assert not ASKS_FOR_ORDER.search(chat.reply("is there a warranty on tents?"))


def test_a_new_task_in_the_middle_of_a_form_replaces_it(shop: Shop):
    chat = shop.chat()
    assert ASKS_FOR_ORDER.search(chat.reply("where is my order?"))
    reply = chat.reply("show me some yoga mats")
    assert "€" in reply and not ASKS_FOR_ORDER.search(reply)
    assert not ASKS_FOR_ORDER.search(chat.reply("what is your return policy?"))


def test_a_yes_that_repeats_the_action_confirms_it(shop: Shop):
    number, email = last_order(shop, OrderStatus.PENDING)
    chat = shop.chat()
    assert "Shall I cancel it?" in chat.reply(f"please cancel order {number}, e-mail {email}")
    reply = chat.reply("yes, cancel it")
    assert "cancel" in reply.lower() and "changed nothing" not in reply
    assert order_status(shop, number) == OrderStatus.CANCELLED


def test_a_house_number_is_no_order_number_and_a_correction_keeps_the_rest(shop: Shop):
    number, email = last_order(shop, OrderStatus.PAID)
    chat = shop.chat()
    chat.reply(f"I need to change the delivery address of order {number}, email {email}")
    reply = chat.reply("Lindenstraße 12")
    assert "postcode" in reply.lower() and "6 digits" not in reply
    assert "city" in chat.reply("10115").lower()
    assert "Lindenstraße 12, 10115 Berlin?" in chat.reply("Berlin")
    assert "Ahornweg 3, 10115 Berlin?" in chat.reply("no, the street is Ahornweg 3")
    assert "stays as it was" in chat.reply("actually no, leave it as it is")
    assert order_status(shop, number) == OrderStatus.PAID


def test_a_general_refund_question_gets_a_general_answer(shop: Shop):
    reply = shop.chat().reply("how many days does a refund normally take?")
    assert "working days" in reply and not ASKS_FOR_ORDER.search(reply)


def test_a_refund_question_with_its_proof_is_answered_for_that_order(shop: Shop):
    number, email = last_order(shop, OrderStatus.REFUNDED)
    reply = shop.chat().reply(f"{email} - order {number} - was my refund paid?")
    assert f"order {number}" in reply and "refunded" in reply.lower()


def test_product_follow_ups_point_at_what_was_shown(shop: Shop):
    chat = shop.chat()
    assert "€" in chat.reply("I'm looking for a rain jacket")
    details = chat.reply("what about the second one?")
    assert "€" in details and not NOT_UNDERSTOOD.search(details)
    assert "€" in chat.reply("and backpacks?")


def test_a_kind_of_product_the_store_does_not_sell_is_said_so(shop: Shop):
    reply = shop.chat().reply("do you have any surfboards?")
    assert "don't seem to carry" in reply and "€" not in reply


def test_a_budget_nothing_fits_shows_the_nearest_of_that_kind(shop: Shop):
    reply = shop.chat().reply("a tent under 20 euros")
    assert "nothing like that under €20.00" in reply and "Tent" in reply
