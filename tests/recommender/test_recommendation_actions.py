"""The recommendation follow-ups in the assistant, against the running service and the store
database, and with the service down (the store answers and the shopper is told nothing odd)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from rasa_sdk import Action
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from actions.product_focus import Focus
from actions.recommendations import (
    NO_FOCUS,
    ActionCheaper,
    ActionGoesWith,
    ActionRecommend,
    ActionRefineSearch,
    ActionSimilarProducts,
)
from bot.store.models import OrderLine, Product, ProductVariant
from tests.actions.store_picks import signed_in
from tests.rasa_helpers import make_tracker, run_action, slot_events, texts
from tests.recommender.conftest import RunningRecommender, use_recommender

Cards = list[dict[str, str]]


def answer(
    action: Action, *, text: str, intent: str, sku: str | None = None, **options: Any
) -> tuple[str, Cards, dict[str, Any]]:
    """What an action shows in the widget: its intro, its cards, and the slots it sets."""
    entities = [{"entity": "sku", "value": sku}] if sku else []
    tracker = make_tracker(
        text=text, intent=intent, entities=entities, input_channel="socketio", **options
    )
    events, messages = run_action(action, tracker)
    [message] = messages
    custom = message.get("custom")
    if not custom:
        return message["text"], [], slot_events(events)
    return custom["text"], custom["products"], slot_events(events)


def product(store: sessionmaker, sku: str) -> Product:
    with store() as session:
        found = session.execute(select(Product).where(Product.sku == sku)).scalar_one()
        session.expunge(found)
        return found


def priciest(store: sessionmaker, category: str) -> Product:
    with store() as session:
        found = (
            session.execute(
                select(Product)
                .where(Product.category == category, Product.active.is_(True))
                .order_by(Product.price.desc())
            )
            .scalars()
            .first()
        )
        session.expunge(found)
        return found


def often_bought_with_others(store: sessionmaker) -> Product:
    """The product found in the most orders that also hold other products."""
    with store() as session:
        shared = (
            select(OrderLine.order_id)
            .group_by(OrderLine.order_id)
            .having(func.count(OrderLine.id) > 1)
        )
        product_id = (
            session.execute(
                select(OrderLine.product_id)
                .where(OrderLine.order_id.in_(shared))
                .group_by(OrderLine.product_id)
                .order_by(func.count(OrderLine.order_id).desc(), OrderLine.product_id)
            )
            .scalars()
            .first()
        )
        found = session.get(Product, product_id)
        session.expunge(found)
        return found


def has_in_stock(store: sessionmaker, sku: str, *, colour: str) -> bool:
    with store() as session:
        return bool(
            session.execute(
                select(func.count(ProductVariant.id))
                .join(Product)
                .where(
                    Product.sku == sku,
                    func.lower(ProductVariant.colour) == colour,
                    ProductVariant.stock > 0,
                )
            ).scalar_one()
        )


def the(title: str) -> str:
    return title if title.startswith("The ") else f"the {title}"


def test_a_title_that_starts_with_the_is_not_given_another():
    jacket = Focus(1, "X-1", "The North Face Pro Rain Jacket", Decimal(1), "hiking", frozenset())
    boots = replace(jacket, title="Salomon Trail Boots")
    assert f"More like {jacket.the_title}" == "More like The North Face Pro Rain Jacket"
    assert f"More like {boots.the_title}" == "More like the Salomon Trail Boots"
    assert boots.the_title_capitalised == "The Salomon Trail Boots"


def skus(cards: Cards) -> list[str]:
    return [c["sku"] for c in cards]


@pytest.mark.slow
def test_a_runner_is_recommended_what_the_service_ranks_for_them(
    store: sessionmaker, recommender: RunningRecommender, monkeypatch: pytest.MonkeyPatch
):
    use_recommender(monkeypatch, recommender.url)
    # Asked first, so the action's own request (2 s timeout) never meets a cold service.
    expected = recommender.ok(f"/shoppers/{recommender.runner_id}/recommendations", limit=5)
    intro, cards, slots = answer(
        ActionRecommend(),
        text="recommend me something",
        intent="recommend",
        metadata=signed_in(recommender.runner_id),
    )
    assert intro == "Here are a few picks for you:"
    assert [(c["sku"], c["reason"]) for c in cards] == [
        (r["sku"], r["reason"]) for r in expected["results"]
    ]
    assert sum(product(store, sku).category == "running" for sku in skus(cards)) >= 3
    assert slots["shown_products"] == skus(cards)


def test_a_guest_is_shown_the_best_sellers_within_what_they_said(store: sessionmaker):
    intro, cards, _ = answer(
        ActionRecommend(),
        text="any gift ideas for hiking under 100?",
        intent="recommend",
        slots={"category": "hiking", "max_price": "100"},
    )
    with store() as session:
        sold = dict(
            session.execute(
                select(Product.sku, func.sum(OrderLine.quantity))
                .join(OrderLine, OrderLine.product_id == Product.id)
                .group_by(Product.sku)
            ).all()
        )
    assert intro == "Here are some of our favourites:" and len(cards) == 5
    for card in cards:
        found = product(store, card["sku"])
        assert found.category == "hiking" and found.price <= 100
        assert card["reason"] == "one of our best sellers"
    units = [sold.get(sku, 0) for sku in skus(cards)]
    assert units == sorted(units, reverse=True)


def test_a_guest_who_names_a_kind_of_product_gets_a_search_within_the_budget(
    store: sessionmaker,
):
    intro, cards, slots = answer(
        ActionRecommend(),
        text="what backpack would you recommend under 90?",
        intent="recommend",
        slots={"product": "backpack", "max_price": "90"},
    )
    assert intro == "Here's what I'd suggest:" and cards
    for sku in skus(cards):
        found = product(store, sku)
        assert "backpack" in found.title.lower() and found.price <= 90
    assert slots["last_search"] == {"text": "backpack", "max_price": "90"}


@pytest.mark.slow
def test_more_like_a_cards_product_is_the_services_similar_items(
    store: sessionmaker, recommender: RunningRecommender, monkeypatch: pytest.MonkeyPatch
):
    use_recommender(monkeypatch, recommender.url)
    seed = priciest(store, "running")
    expected = recommender.ok(f"/products/{seed.sku}/similar", limit=5)
    intro, cards, slots = answer(
        ActionSimilarProducts(), text="/more_like_this", intent="more_like_this", sku=seed.sku
    )
    assert intro == f"More like {the(seed.title)}:"
    assert skus(cards) == [r["sku"] for r in expected["results"]] and seed.sku not in skus(cards)
    assert slots["shown_products"] == skus(cards)


def test_more_like_this_without_the_service_stays_in_the_category(store: sessionmaker):
    seed = priciest(store, "camping")
    _, cards, _ = answer(
        ActionSimilarProducts(),
        text="more like this",
        intent="more_like_this",
        slots={"shown_products": [seed.sku, "ignored-second-card"]},
    )
    assert cards and seed.sku not in skus(cards)
    assert {product(store, sku).category for sku in skus(cards)} == {"camping"}


def test_a_kind_of_product_named_means_the_one_of_that_kind_on_show(store: sessionmaker):
    tent = priciest(store, "camping")
    with store() as session:
        backpacks = session.execute(
            select(Product.sku, Product.title)
            .where(Product.title.endswith("Backpack"), Product.active.is_(True))
            .order_by(Product.id.desc())
        ).all()
    assert len(backpacks) > 1
    shown_backpack = backpacks[0]  # the newest, not the store's first backpack
    intro, cards, _ = answer(
        ActionSimilarProducts(),
        text="more like that backpack",
        intent="more_like_this",
        slots={"product": "backpack", "shown_products": [tent.sku, shown_backpack.sku]},
    )
    assert intro == f"More like {the(shown_backpack.title)}:" and cards


@pytest.mark.parametrize("sku", [None, "' OR 1=1 --", "NOPE-0000"])
def test_more_like_this_with_nothing_in_focus_asks_which_product(store: sessionmaker, sku):
    text, cards, slots = answer(
        ActionSimilarProducts(), text="more like this", intent="more_like_this", sku=sku
    )
    assert text == NO_FOCUS and cards == [] and "shown_products" not in slots


@pytest.mark.slow
def test_cheaper_is_like_the_product_in_focus_for_less(
    store: sessionmaker, recommender: RunningRecommender, monkeypatch: pytest.MonkeyPatch
):
    use_recommender(monkeypatch, recommender.url)
    seed = priciest(store, "running")
    intro, cards, _ = answer(
        ActionCheaper(),
        text="anything cheaper?",
        intent="cheaper",
        slots={"shown_products": [seed.sku]},
    )
    assert intro.startswith(f"Cheaper than {the(seed.title)}")
    assert len(cards) == 5
    assert all(product(store, sku).price < seed.price for sku in skus(cards))
    assert sum(product(store, sku).category == "running" for sku in skus(cards)) >= 4


def test_cheaper_without_the_service_keeps_the_colour_asked_for(store: sessionmaker):
    seed = priciest(store, "running")
    _, cards, _ = answer(
        ActionCheaper(),
        text="cheaper please",
        intent="cheaper",
        slots={"shown_products": [seed.sku], "last_search": {"text": "shoes", "colour": "black"}},
    )
    assert cards
    for sku in skus(cards):
        assert product(store, sku).price < seed.price and product(store, sku).category == "running"
        assert has_in_stock(store, sku, colour="black")


def test_nothing_cheaper_than_the_cheapest_is_said_plainly(store: sessionmaker):
    with store() as session:
        cheapest = (
            session.execute(select(Product).where(Product.active.is_(True)).order_by(Product.price))
            .scalars()
            .first()
        )
        sku, title = cheapest.sku, cheapest.title
    text, cards, slots = answer(
        ActionCheaper(), text="cheaper", intent="cheaper", slots={"shown_products": [sku]}
    )
    assert text.startswith(f"I don't have anything like {the(title)} for less than")
    assert cards == [] and "shown_products" not in slots


def test_a_budget_of_nothing_finds_nothing_cheaper(store: sessionmaker):
    seed = priciest(store, "running")
    text, cards, _ = answer(
        ActionCheaper(),
        text="cheaper, 0 max",
        intent="cheaper",
        slots={"shown_products": [seed.sku], "max_price": "0"},
    )
    assert text.startswith("I don't have anything like") and cards == []


@pytest.mark.parametrize("service", ["up", "down"])
def test_in_blue_runs_the_last_search_again_in_blue(
    store: sessionmaker,
    recommender: RunningRecommender,
    monkeypatch: pytest.MonkeyPatch,
    service: str,
):
    if service == "up":
        use_recommender(monkeypatch, recommender.url)
    intro, cards, slots = answer(
        ActionRefineSearch(),
        text="in blue",
        intent="refine_search",
        slots={"colour": "blue", "last_search": {"text": "running shoes", "max_price": "150"}},
    )
    assert intro == "Here's what I found in blue:" and cards
    for sku in skus(cards):
        assert has_in_stock(store, sku, colour="blue") and product(store, sku).price <= 150
    assert slots["last_search"] == {"text": "running shoes", "colour": "blue", "max_price": "150"}


def test_in_a_colour_the_product_in_focus_comes_in_shows_that_product(store: sessionmaker):
    seed = priciest(store, "running")
    with store() as session:
        colour = (
            session.execute(
                select(ProductVariant.colour)
                .join(Product)
                .where(Product.sku == seed.sku, ProductVariant.stock > 0)
            )
            .scalars()
            .first()
        )
    intro, cards, _ = answer(
        ActionRefineSearch(),
        text=f"do you have it in {colour}?",
        intent="refine_search",
        slots={"colour": colour, "shown_products": [seed.sku]},
    )
    assert intro == f"Yes, {the(seed.title)} comes in {colour}:" and skus(cards) == [seed.sku]


def test_in_a_colour_the_product_does_not_come_in_offers_similar_ones_that_do(
    store: sessionmaker,
):
    seed = priciest(store, "running")
    with store() as session:
        in_stock = (
            select(func.lower(ProductVariant.colour)).join(Product).where(ProductVariant.stock > 0)
        )
        running = set(session.execute(in_stock.where(Product.category == "running")).scalars())
        its_own = set(session.execute(in_stock.where(Product.sku == seed.sku)).scalars())
    colour = sorted(running - its_own)[0]
    intro, cards, _ = answer(
        ActionRefineSearch(),
        text=f"in {colour}?",
        intent="refine_search",
        slots={"colour": colour, "shown_products": [seed.sku]},
    )
    named = the(seed.title)
    assert intro == f"{named[0].upper()}{named[1:]} doesn't come in {colour}, but these do:"
    assert cards
    assert all(has_in_stock(store, sku, colour=colour) for sku in skus(cards))


@pytest.mark.slow
def test_what_goes_with_it_is_the_services_bought_together(
    store: sessionmaker, recommender: RunningRecommender, monkeypatch: pytest.MonkeyPatch
):
    use_recommender(monkeypatch, recommender.url)
    seed = often_bought_with_others(store)
    expected = recommender.ok(f"/products/{seed.sku}/bought-together", limit=5)
    intro, cards, _ = answer(
        ActionGoesWith(), text="what goes with it?", intent="goes_with", sku=seed.sku
    )
    assert expected["results"]
    assert intro == f"Goes well with {the(seed.title)}:"
    assert [(c["sku"], c["reason"]) for c in cards] == [
        (r["sku"], r["reason"]) for r in expected["results"]
    ]


def test_what_goes_with_it_without_the_service_is_what_shared_its_orders(store: sessionmaker):
    seed = often_bought_with_others(store)
    _, cards, _ = answer(
        ActionGoesWith(),
        text="what goes with it",
        intent="goes_with",
        slots={"shown_products": [seed.sku]},
    )
    with store() as session:
        seed_orders = select(OrderLine.order_id).where(OrderLine.product_id == seed.id)
        partners = set(
            session.execute(
                select(Product.sku)
                .join(OrderLine, OrderLine.product_id == Product.id)
                .where(OrderLine.order_id.in_(seed_orders))
            ).scalars()
        )
    assert cards and set(skus(cards)) <= partners - {seed.sku}
    assert all(c["reason"] == f"often bought with {the(seed.title)}" for c in cards)


def test_text_channels_get_one_line_per_product_with_its_reason(store: sessionmaker):
    seed = priciest(store, "camping")
    tracker = make_tracker(
        text="more like this", intent="more_like_this", slots={"shown_products": [seed.sku]}
    )
    _, messages = run_action(ActionSimilarProducts(), tracker)
    [text] = texts(messages)
    intro, *lines = text.split("\n")
    assert intro == f"More like {the(seed.title)}:" and len(lines) == 5
    assert all(line.startswith("- ") and ": also in camping" in line for line in lines)
    assert all(Decimal(line.split("€")[1].split(" ")[0]) > 0 for line in lines)
