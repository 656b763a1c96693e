"""The recommendation service over real HTTP, on a private copy of the seeded store."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import select

from bot.store.db import session_scope
from bot.store.models import Order, OrderLine, OrderStatus, Product
from tests.recommender.conftest import RunningRecommender

pytestmark = pytest.mark.slow

FILTER_CASES: list[dict[str, Any]] = [
    {"max_price": 60},
    {"min_price": 100, "max_price": 200},
    {"size": "42"},
    {"colour": "black", "size": "M"},
    {"colour": "blue", "max_price": 80},
]


def bought_by(recommender: RunningRecommender, customer_id: int) -> set[int]:
    """Products in the customer's orders that went through (returned ones included)."""
    with session_scope(recommender.store) as session:
        stmt = (
            select(OrderLine.product_id)
            .join(Order)
            .where(Order.customer_id == customer_id, Order.status != OrderStatus.CANCELLED)
        )
        return set(session.execute(stmt).scalars())


def assert_filters_hold(
    recommender: RunningRecommender,
    results: list[dict[str, Any]],
    filters: dict[str, Any],
    customer_id: int | None = None,
) -> None:
    excluded = bought_by(recommender, customer_id) if customer_id else set()
    with session_scope(recommender.store) as session:
        for result in results:
            product = session.get(Product, result["product_id"])
            assert product is not None and product.active
            price = float(product.price)
            assert price >= filters.get("min_price", 0)
            assert price <= filters.get("max_price", filters.get("budget", float("inf")))
            assert any(
                v.stock > 0
                and v.size == filters.get("size", v.size)
                and v.colour == filters.get("colour", v.colour)
                for v in product.variants
            ), (result["sku"], filters)
            assert product.id not in excluded, (result["sku"], "already bought")
            assert result["reason"] and result["reason"] == result["reasons"][0]


@pytest.mark.parametrize("kind", ["Rain Jacket", "Hiking Boots", "Tent"])
def test_more_like_a_product_is_more_of_its_kind(recommender: RunningRecommender, kind: str):
    with session_scope(recommender.store) as session:
        seed = session.execute(
            select(Product.sku, Product.title)
            .where(Product.title.endswith(kind), Product.active.is_(True))
            .order_by(Product.id)
        ).first()
    similar = recommender.ok(f"/products/{seed.sku}/similar", limit=5)["results"]
    noun = kind.split()[-1]
    assert len(similar) == 5 and all(r["title"].endswith(noun) for r in similar), similar
    assert all(r["reason"] for r in similar)


@pytest.mark.parametrize("filters", FILTER_CASES)
def test_filters_always_hold_on_every_endpoint(
    recommender: RunningRecommender, filters: dict[str, Any]
) -> None:
    customer = 3
    searched = recommender.ok("/search", q="jacket for the rain", customer_id=customer, **filters)
    assert_filters_hold(recommender, searched["results"], filters, customer)
    similar = recommender.ok("/products/RUN-0005/similar", customer_id=customer, **filters)
    assert_filters_hold(recommender, similar["results"], filters, customer)
    assert all(r["sku"] != "RUN-0005" for r in similar["results"])
    together = recommender.ok("/products/RUN-0005/bought-together", **filters)
    assert_filters_hold(recommender, together["results"], filters)
    said = {("budget" if k == "max_price" else k): v for k, v in filters.items()}
    for_shopper = recommender.ok(f"/shoppers/{customer}/recommendations", limit=20, **said)
    assert for_shopper["count"] > 0
    assert_filters_hold(recommender, for_shopper["results"], said, customer)


def test_returned_and_bought_products_are_never_recommended(
    recommender: RunningRecommender,
) -> None:
    with session_scope(recommender.store) as session:
        returned = session.execute(
            select(Order.customer_id).where(Order.status == OrderStatus.REFUNDED).limit(3)
        ).scalars()
        customers = list(returned)
    for customer in customers:
        body = recommender.ok(f"/shoppers/{customer}/recommendations", limit=50, in_stock="false")
        assert body["personal"] is True
        assert not {r["product_id"] for r in body["results"]} & bought_by(recommender, customer)


def test_a_runners_history_puts_running_gear_first(recommender: RunningRecommender) -> None:
    body = recommender.ok(f"/shoppers/{recommender.runner_id}/recommendations", limit=10)
    categories = [r["category"] for r in body["results"]]
    assert body["personal"] is True
    assert categories[:5] == ["running"] * 5, categories
    history = ("you often", "like your", "bought with")
    assert body["results"][0]["reason"].startswith(history), body["results"][0]["reasons"]
    profile = recommender.ok(f"/shoppers/{recommender.runner_id}/profile")
    assert profile["categories"][0]["value"] == "running"
    assert profile["categories"][0]["evidence"][0].startswith("bought ")


def test_what_the_shopper_asks_for_leads_the_runners_results(
    recommender: RunningRecommender,
) -> None:
    body = recommender.ok(
        f"/shoppers/{recommender.runner_id}/recommendations", q="waterproof shoes", limit=5
    )
    top = body["results"][0]
    assert "waterproof" in top["reason"]
    assert top["category"] == "running"  # the trail running shoes, not the hiking boots


def test_unknown_shopper_gets_non_personal_results(recommender: RunningRecommender) -> None:
    body = recommender.ok("/shoppers/999999/recommendations", limit=5)
    assert body["personal"] is False
    assert body["count"] == 5
    assert all(r["reason"].startswith("popular") for r in body["results"])
    asked = recommender.ok("/shoppers/999999/recommendations", category="cycling", limit=3)
    assert [r["category"] for r in asked["results"]] == ["cycling"] * 3
    assert asked["results"][0]["reason"] == "you asked for cycling"
    searched = recommender.ok("/search", q="tent", customer_id=999999, limit=3)
    assert searched["personal"] is False and searched["count"] == 3


def test_search_explains_matches(recommender: RunningRecommender) -> None:
    body = recommender.ok("/search", q="waterproof hiking boots", limit=3)
    assert [r["category"] for r in body["results"]] == ["hiking"] * 3
    assert "'waterproof'" in body["results"][0]["reason"]


def test_bought_together_counts_shared_orders(recommender: RunningRecommender) -> None:
    with session_scope(recommender.store) as session:
        order = session.execute(
            select(Order).where(Order.customer_id == recommender.runner_id).limit(1)
        ).scalar_one()
        skus = [line.product.sku for line in order.lines]
    body = recommender.ok(f"/products/{skus[0]}/bought-together", in_stock="false")
    partner = next(r for r in body["results"] if r["sku"] == skus[1])
    assert partner["reason"].startswith("bought with ")


@pytest.mark.parametrize(
    ("path", "params", "message"),
    [
        ("/search", {}, "'q' is required"),
        ("/search", {"q": "tent", "limit": "0"}, "'limit'"),
        ("/search", {"q": "tent", "limit": "ten"}, "'limit'"),
        ("/search", {"q": "tent", "max_price": "cheap"}, "'max_price' must be a number"),
        ("/search", {"q": "tent", "min_price": "-5"}, "'min_price'"),
        ("/search", {"q": "tent", "min_price": "90", "max_price": "10"}, "is above"),
        ("/search", {"q": "tent", "colr": "red"}, "unknown parameter 'colr'"),
        ("/search", {"q": "tent", "customer_id": "me"}, "'customer_id'"),
        ("/search", {"q": "x" * 300}, "longer than"),
        ("/products/RUN-0005/similar", {"in_stock": "maybe"}, "'in_stock'"),
        ("/shoppers/abc/recommendations", {}, "'customer id'"),
        ("/shoppers/3/recommendations", {"budget": "nan"}, "'budget'"),
    ],
)
def test_bad_parameters_get_400_with_the_reason(
    recommender: RunningRecommender, path: str, params: dict[str, str], message: str
) -> None:
    response = recommender.get(path, **params)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_unknown_product_is_404(recommender: RunningRecommender) -> None:
    response = recommender.get("/products/NO-SUCH-SKU/similar")
    assert response.status_code == 404
    assert "NO-SUCH-SKU" in response.json()["error"]


def test_a_changed_product_is_found_after_encoding_only_it(
    recommender: RunningRecommender,
) -> None:
    before = recommender.ok("/health")
    with session_scope(recommender.store) as session:
        tent = session.execute(select(Product).where(Product.sku == "CAM-0700")).scalar_one()
        tent.title = "Riverside Inflatable Kayak"
        tent.description = "An inflatable two-seat kayak with paddles, for rivers and lakes."
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = recommender.ok("/search", q="inflatable kayak", limit=1, in_stock="false")
        if found["results"][0]["sku"] == "CAM-0700":
            break
        time.sleep(0.5)
    else:
        pytest.fail("the renamed product was not found by its new name")
    assert "'kayak'" in found["results"][0]["reason"]
    assert recommender.ok("/health")["encoded_total"] == before["encoded_total"] + 1
