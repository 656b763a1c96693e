"""A product's card is the same whether the recommendation service or the store answered."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload, sessionmaker

from actions.product_cards import cards_of_picks, pick_card, product_card
from bot.recommender.client import RecommenderUnavailable, get_picks, pick_of
from bot.recommender.ranking import Recommendation
from bot.recommender.service import recommendation_json
from bot.store.catalog import item_from_product
from bot.store.models import Product


def over_http(found: Recommendation) -> dict[str, object]:
    """One result as the action server receives it: the service's JSON, encoded and decoded."""
    decoded: dict[str, object] = json.loads(json.dumps(recommendation_json(found)))
    return decoded


def test_the_services_card_is_the_stores_card_for_every_product(store: sessionmaker):
    with store() as session:
        products = (
            session.execute(select(Product).options(selectinload(Product.variants))).scalars().all()
        )
        assert products
        for product in products:
            item = item_from_product(product)
            found = Recommendation(item, 0.5, ["popular in running", "x"], list(item.variants))
            card = pick_card(pick_of(over_http(found)))
            assert card == product_card(product, "popular in running")
            assert card["image"] == product.image_url and card["image"]


def test_prices_read_the_same_however_they_are_written(store: sessionmaker):
    with store() as session:
        product = session.execute(select(Product).options(selectinload(Product.variants))).scalar()
        for price in ("19.90", "20", "0.05", "1234.50"):
            product.price = Decimal(price)
            item = item_from_product(product)
            found = Recommendation(item, 0.1, ["why"], [])
            assert pick_card(pick_of(over_http(found))) == product_card(product, "why")
        session.rollback()


def test_cards_of_picks_reads_nothing_from_the_store(store: sessionmaker):
    with store() as session:
        product = session.execute(select(Product).options(selectinload(Product.variants))).scalar()
        found = Recommendation(item_from_product(product), 0.5, ["why"], [])
        pick = pick_of(over_http(found))
        expected = product_card(product, "why")
    # No session at all: a card needs nothing but the service's answer.
    assert cards_of_picks(None, [pick, pick]) == [expected, expected]  # type: ignore[arg-type]


def test_an_answer_without_what_a_card_needs_is_no_answer(monkeypatch: pytest.MonkeyPatch):
    class Answer:
        status = 200

        async def json(self) -> dict[str, object]:
            return {"results": [{"sku": "RUN-0001", "reason": "why"}]}  # an older service

        async def __aenter__(self) -> Answer:
            return self

        async def __aexit__(self, *_: object) -> None:
            return None

    class Http:
        def __init__(self, **_: object) -> None: ...

        async def __aenter__(self) -> Http:
            return self

        async def __aexit__(self, *_: object) -> None:
            return None

        def get(self, *_: object, **__: object) -> Answer:
            return Answer()

    monkeypatch.setattr("bot.recommender.client.aiohttp.ClientSession", Http)
    with pytest.raises(RecommenderUnavailable):
        asyncio.run(get_picks("http://recommender", "/search", {}, token="t"))
