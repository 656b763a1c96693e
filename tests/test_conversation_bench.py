"""The conversation benchmark's placeholders and checks, on a seeded store."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bench.conversations import answer_text, cast_of, failed_checks
from bot.store.models import Order


def test_placeholders_name_the_demo_customers_orders_and_another_shopper(store: sessionmaker):
    with store() as session:
        cast = cast_of(session)
        for name, number in cast.values.items():
            if name.startswith("order_"):
                order = session.execute(select(Order).where(Order.number == number)).scalar_one()
                assert order.customer_id == cast.customer_id
                assert order.status.value == name.removeprefix("order_")
        other_number = cast.values["other_order"]
        other = session.execute(select(Order).where(Order.number == other_number)).scalar_one()
    assert other.customer_id != cast.customer_id
    assert len([n for n in cast.values if n.startswith("order_")]) >= 5
    assert cast.fill("{email} {unknown}") == f"{cast.values['email']} {{unknown}}"


def test_a_turn_fails_on_a_missing_fact_or_a_rejected_one(store: sessionmaker):
    with store() as session:
        cast = cast_of(session)
    answer = answer_text(
        [
            {"text": f"Order {cast.values['order_shipped']} has shipped."},
            {"buttons": [{"title": "Track it", "payload": "/track"}], "custom": {"type": "x"}},
        ]
    )
    assert answer.endswith('[Track it]\n{"type": "x"}')
    turn = {"expect": ["{order_shipped}", "shipped"], "reject": ["not sure I understood"]}
    assert failed_checks(answer, turn, cast) == []
    assert failed_checks(answer, {"expect": ["cancel"], "reject": ["SHIPPED"]}, cast) == [
        "expect cancel",
        "reject SHIPPED",
    ]
