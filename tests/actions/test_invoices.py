"""Invoices: the policy for a general question, the order's own invoice after proof only."""

from __future__ import annotations

import asyncio

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import sessionmaker

from actions.invoices import ActionInvoice, ValidateInvoiceForm
from bot.store.models import OrderStatus
from tests.actions.store_picks import pick
from tests.rasa_helpers import domain, make_tracker, run_action, slot_events, texts


def required(text: str, **slots: object) -> list[str]:
    tracker = make_tracker(text=text, intent="ask_invoice", slots=slots)
    form = ValidateInvoiceForm()
    return asyncio.run(
        form.required_slots(["order_number", "email"], CollectingDispatcher(), tracker, domain())
    )


def test_a_general_invoice_question_needs_no_order(store: sessionmaker):
    assert required("can I get an invoice with VAT?") == []
    tracker = make_tracker(text="can I get an invoice with VAT?", intent="ask_invoice")
    _, messages = run_action(ActionInvoice(), tracker)
    assert "download it any time from 'My orders'" in texts(messages)[0]


def test_an_invoice_for_an_order_is_given_after_proof_only(store: sessionmaker):
    order = pick(store, OrderStatus.DELIVERED)
    assert required("I need the invoice for my order") == ["order_number", "email"]
    named = required(f"invoice for {order.number}", order_number=order.number)
    assert named == ["order_number", "email"]
    stranger = make_tracker(
        text=f"invoice for {order.number}",
        intent="ask_invoice",
        slots={"order_number": order.number},
    )
    _, messages = run_action(ActionInvoice(), stranger)
    assert order.number not in texts(messages)[0]
    proved = make_tracker(
        text=f"invoice for {order.number}",
        intent="ask_invoice",
        slots={"order_number": order.number, "verified_orders": [order.number]},
    )
    events, messages = run_action(ActionInvoice(), proved)
    [text] = texts(messages)
    assert f"The invoice with VAT for order {order.number} was e-mailed" in text
    assert slot_events(events)["order_in_focus"] == order.number
