"""Product search in the assistant: the recommendation service first, the store when it fails."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from actions.products import ActionProductSearch
from bot.store.models import Product
from tests.rasa_helpers import make_tracker, run_action
from tests.recommender.conftest import RunningRecommender, use_recommender


def cards_for(**slots: object) -> list[dict[str, str]]:
    tracker = make_tracker(
        text=str(slots.get("product") or "show me something"),
        intent="product_search",
        slots=slots,
        input_channel="socketio",
    )
    _, messages = run_action(ActionProductSearch(), tracker)
    [message] = messages
    assert message["custom"]["text"] == "Here's what I found:"  # nothing alarming, either way
    return message["custom"]["products"]


@pytest.mark.slow
def test_search_shows_the_services_picks_with_their_reasons(
    store: sessionmaker, recommender: RunningRecommender, monkeypatch: pytest.MonkeyPatch
):
    use_recommender(monkeypatch, recommender.url)
    expected = recommender.ok("/search", q="waterproof jacket", max_price="100", limit=5)
    cards = cards_for(product="waterproof jacket", max_price="100")
    assert [(c["sku"], c["reason"]) for c in cards] == [
        (r["sku"], r["reason"]) for r in expected["results"]
    ]
    with store() as session:
        for card in cards:
            product = session.execute(
                select(Product).where(Product.sku == card["sku"])
            ).scalar_one()
            assert product.price <= 100 and card["image"] == product.image_url


def test_a_recommender_that_is_down_leaves_the_store_search(store: sessionmaker):
    cards = cards_for(product="running shoes", max_price="120")
    assert cards
    with store() as session:
        for card in cards:
            product = session.execute(
                select(Product).where(Product.sku == card["sku"])
            ).scalar_one()
            assert product.price <= 120 and "shoe" in product.title.lower()


def test_a_slow_recommender_is_given_up_on_quickly(
    store: sessionmaker, silent_server: str, monkeypatch: pytest.MonkeyPatch
):
    use_recommender(monkeypatch, silent_server)
    started = time.monotonic()
    cards = cards_for(product="tent")
    assert time.monotonic() - started < 5
    assert cards and all("tent" in c["title"].lower() for c in cards)


def test_words_nothing_matches_get_the_best_sellers_within_the_filters(store: sessionmaker):
    cards = cards_for(product="zzqx flurb", category="running")
    assert len(cards) == 5
    with store() as session:
        categories = {
            session.execute(select(Product.category).where(Product.sku == c["sku"])).scalar_one()
            for c in cards
        }
    assert categories == {"running"}
