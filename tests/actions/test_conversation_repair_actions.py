"""The actions' side of conversation repair, against a seeded store: confirmations read by meaning,
corrections at the confirmation, values asked for another slot, general refund questions, pointing
at a shown product, and searches that fit nothing."""

from __future__ import annotations

import asyncio

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from actions.address import ValidateAddressForm, corrected_address
from actions.invoices import ValidateInvoiceForm
from actions.orders import ValidateCancelForm, ValidateOrderStatusForm
from actions.products import ActionProductDetails, ActionProductSearch, budget
from actions.recommendations import resized
from actions.returns import REFUND_TIMING, ActionRefundStatus, ValidateRefundForm
from actions.verification import (
    before_this_message,
    normalise_order_number,
    orders_in_focus,
    yes_or_no,
)
from bot.store.models import OrderStatus, Product
from tests.actions.store_picks import pick
from tests.rasa_helpers import domain, make_tracker, run_action, slot_events, texts


def test_a_confirmation_is_read_from_its_first_words():
    assert yes_or_no("yes, cancel it") is True
    assert yes_or_no("Sure, go ahead") is True
    assert yes_or_no("no, leave it") is False
    assert yes_or_no("never mind, I'll keep it") is False
    assert yes_or_no("if I cancel, when do I get my money back?") is None


def test_a_corrected_street_or_postcode_is_found_in_the_sentence():
    assert corrected_address("no, the street is wrong, it's Lindenweg 3") == {
        "new_street": "Lindenweg 3"
    }
    assert corrected_address("the postcode is 20357") == {"new_postcode": "20357"}
    assert corrected_address("yes please") == {}


def test_a_correction_at_the_confirmation_replaces_the_street_and_asks_again():
    tracker = make_tracker(
        text="no, the street is wrong, it's Lindenweg 3",
        intent="deny",
        slots={"requested_slot": "confirm", "new_street": "Gartenstrasse 5"},
        active_loop="address_form",
    )
    form = ValidateAddressForm()
    extracted = asyncio.run(form.extract_confirm(CollectingDispatcher(), tracker, domain()))
    assert extracted == {"new_street": "Lindenweg 3", "confirm": None}


def test_a_number_said_for_another_question_keeps_the_order_number(store: sessionmaker):
    order = pick(store, OrderStatus.PAID)
    earlier = [
        {"event": "user", "text": "change my address", "timestamp": 0},
        {"event": "slot", "name": "order_number", "value": order.number, "timestamp": 0},
    ]
    tracker = make_tracker(
        text="Bergstraße 7",
        slots={"requested_slot": "new_street", "order_number": "7"},
        active_loop="address_form",
        earlier=earlier,
    )
    assert before_this_message(tracker, "order_number") == order.number
    dispatcher = CollectingDispatcher()
    result = asyncio.run(
        ValidateAddressForm().validate_order_number("7", dispatcher, tracker, domain())
    )
    assert result == {"order_number": order.number} and dispatcher.messages == []


def test_a_general_refund_question_needs_no_order_and_gets_the_timing(store: sessionmaker):
    tracker = make_tracker(text="how long do refunds usually take?", intent="refund_status")
    slots = asyncio.run(
        ValidateRefundForm().required_slots(
            ["order_number", "email"], CollectingDispatcher(), tracker, domain()
        )
    )
    assert slots == []
    _, messages = run_action(ActionRefundStatus(), tracker)
    assert texts(messages) == [REFUND_TIMING]
    own = make_tracker(text="where is my refund?", intent="refund_status")
    slots = asyncio.run(
        ValidateRefundForm().required_slots(
            ["order_number", "email"], CollectingDispatcher(), own, domain()
        )
    )
    assert slots == ["order_number", "email"]


def test_the_second_one_is_the_second_product_shown(store: sessionmaker):
    with store() as session:
        first, second = session.execute(select(Product).order_by(Product.sku).limit(2)).scalars()
        shown, title = [first.sku, second.sku], second.title
    tracker = make_tracker(
        text="tell me more about the second one",
        intent="product_details",
        slots={"shown_products": shown},
    )
    events, messages = run_action(ActionProductDetails(), tracker)
    assert texts(messages)[0].startswith(title)
    assert slot_events(events)["shown_products"] == [shown[1]]


def test_a_kind_of_product_not_sold_is_said_and_nothing_unrelated_is_shown(store: sessionmaker):
    tracker = make_tracker(text="do you sell kayaks?", intent="product_search")
    events, messages = run_action(ActionProductSearch(), tracker)
    assert "don't seem to carry anything like 'kayak'" in texts(messages)[0]
    assert slot_events(events)["shown_products"] is None


def test_a_budget_nothing_fits_is_widened_within_the_kind(store: sessionmaker):
    tracker = make_tracker(
        text="a tent under 20 euros",
        intent="product_search",
        entities=[{"entity": "max_price", "value": "20"}],
        slots={"product": "tent", "max_price": "20"},
    )
    _, messages = run_action(ActionProductSearch(), tracker)
    [text] = texts(messages)
    assert text.startswith("There's nothing like that under €20.00, sorry.")
    assert "Tent" in text.split("\n", 1)[1]


def test_a_whole_address_in_one_message_fills_street_postcode_and_town():
    tracker = make_tracker(
        text="send it to Ingrid Weber, Lindenstrasse 14, 37073 Goettingen, Germany",
        intent="change_address",
        active_loop="address_form",
    )
    form = ValidateAddressForm()
    extracted = asyncio.run(form.extract_new_street(CollectingDispatcher(), tracker, domain()))
    assert extracted == {
        "new_street": "Lindenstrasse 14",
        "new_postcode": "37073",
        "new_city": "Goettingen",
    }


def test_the_last_real_order_number_among_several_readings_counts():
    assert normalise_order_number(["3-5", "100237", "40"]) == "100237"
    assert normalise_order_number(["100270", "100237"]) == "100237"
    assert normalise_order_number("order 100237") == "100237"
    assert normalise_order_number(["81669", "40"]) is None


def test_the_second_one_is_the_second_order_the_conversation_showed():
    shipped, pending = "100237", "100250"
    earlier = [
        {"event": "slot", "name": "order_in_focus", "value": shipped, "timestamp": 0},
        {"event": "slot", "name": "order_in_focus", "value": pending, "timestamp": 0},
        {"event": "slot", "name": "order_in_focus", "value": shipped, "timestamp": 0},
    ]
    tracker = make_tracker(
        text="cancel the second one",
        intent="cancel_order",
        slots={"order_in_focus": shipped, "verified_orders": [shipped, pending]},
        active_loop="cancel_form",
        earlier=earlier,
    )
    assert orders_in_focus(tracker) == [shipped, pending]
    form = ValidateCancelForm()
    extracted = asyncio.run(form.extract_order_number(CollectingDispatcher(), tracker, domain()))
    assert extracted == {"order_number": pending}
    unproved = make_tracker(
        text="cancel the second one",
        intent="cancel_order",
        slots={"order_in_focus": shipped, "verified_orders": [shipped]},
        active_loop="cancel_form",
        earlier=earlier,
    )
    assert asyncio.run(form.extract_order_number(CollectingDispatcher(), unproved, domain())) == {}


def test_a_number_without_money_words_is_no_budget():
    age = make_tracker(
        text="My daughter is 12, what goggles would you recommend?",
        intent="recommend",
        entities=[{"entity": "max_price", "value": "12"}],
        slots={"max_price": "12"},
    )
    assert budget(age, "max_price") is None
    limit = make_tracker(
        text="anything under 50?",
        intent="refine_search",
        entities=[{"entity": "max_price", "value": "50"}],
        slots={"max_price": "50"},
    )
    assert budget(limit, "max_price") == 50


def test_a_bare_number_after_a_search_by_size_is_the_new_size():
    assert resized("sorry, make that 43 - they always come up big") == "43"
    assert resized("make it 10.5") == "10.5"
    assert resized("anything under 43?") is None
    assert resized("order 100237") is None


def test_the_order_number_is_the_real_one_among_the_numbers_a_message_holds():
    tracker = make_tracker(
        text="I need one for order 100185. Company: Rosenheimer Str. 40, 81669 Muenchen.",
        intent="ask_invoice",
        entities=[
            {"entity": "order_number", "value": "100185"},
            {"entity": "order_number", "value": "40"},
            {"entity": "order_number", "value": "81669"},
        ],
        slots={"order_number": "81669"},
        active_loop="invoice_form",
    )
    form = ValidateInvoiceForm()
    extracted = asyncio.run(form.extract_order_number(CollectingDispatcher(), tracker, domain()))
    assert extracted == {"order_number": "100185"}


def test_a_pasted_order_mail_is_proved_with_the_shoppers_address_not_the_stores(
    store: sessionmaker,
):
    entities = [
        {"entity": "email", "value": "maria.lopez@example.com"},
        {"entity": "email", "value": "help@trailhead-outfitters.example"},
    ]
    tracker = make_tracker(
        text="This e-mail was sent to maria.lopez@example.com. Questions? "
        "help@trailhead-outfitters.example",
        intent="order_status",
        entities=entities,
        slots={"email": "help@trailhead-outfitters.example"},
        active_loop="order_status_form",
    )
    form = ValidateOrderStatusForm()
    extracted = asyncio.run(form.extract_email(CollectingDispatcher(), tracker, domain()))
    assert extracted == {"email": "maria.lopez@example.com"}
