"""Catalog search by words, category, brand, colour, size and price."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from bot.store.models import OrderLine, Product, ProductVariant

STOPWORDS = frozenset(
    "a an the for me my some any i im i'm looking want need show find do you have sell "
    "with in of and or under over below above than less more cheap cheaper buy get "
    "something anything like this that please can is are there".split()
)


@dataclass(frozen=True)
class ProductQuery:
    text: str | None = None
    category: str | None = None
    brand: str | None = None
    colour: str | None = None
    size: str | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock_only: bool = True


def search_words(text: str) -> list[str]:
    """The words of a shopper's request that can match a product, singularised."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return [w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words if w not in STOPWORDS]


def search_products(session: Session, *, query: ProductQuery, limit: int = 5) -> list[Product]:
    """Active products matching every filter and as many of the words as possible."""
    stmt = select(Product).where(Product.active.is_(True))
    if query.category:
        stmt = stmt.where(func.lower(Product.category) == query.category.lower())
    if query.brand:
        stmt = stmt.where(func.lower(Product.brand) == query.brand.lower())
    if query.min_price is not None:
        stmt = stmt.where(Product.price >= query.min_price)
    if query.max_price is not None:
        stmt = stmt.where(Product.price <= query.max_price)
    variant_filters = []
    if query.colour:
        variant_filters.append(func.lower(ProductVariant.colour) == query.colour.lower())
    if query.size:
        variant_filters.append(func.lower(ProductVariant.size) == query.size.lower())
    if query.in_stock_only:
        variant_filters.append(ProductVariant.stock > 0)
    if variant_filters:
        stmt = stmt.where(
            Product.variants.any(and_(*variant_filters))  # type: ignore[attr-defined]
        )
    words = search_words(query.text or "")
    if words:
        haystack = func.lower(Product.title + " " + Product.category + " " + Product.brand)
        stmt = stmt.where(or_(*(haystack.contains(w) for w in words)))
    stmt = stmt.options(selectinload(Product.variants)).order_by(Product.id)
    candidates = list(session.execute(stmt).scalars())
    if words:
        candidates.sort(key=lambda p: -_word_hits(p, words))
    return candidates[:limit]


def _word_hits(product: Product, words: list[str]) -> int:
    text = f"{product.title} {product.category} {product.brand} {product.description}".lower()
    return sum(w in text for w in words)


def find_product(session: Session, *, name: str) -> Product | None:
    """The product that best matches a name the shopper typed."""
    found = search_products(session, query=ProductQuery(text=name, in_stock_only=False), limit=1)
    return found[0] if found else None


def catalog_categories(session: Session) -> list[str]:
    """The categories of active products, alphabetical."""
    stmt = select(Product.category).where(Product.active.is_(True)).distinct()
    return sorted(session.execute(stmt).scalars())


def catalog_page(
    session: Session, *, category: str | None = None, offset: int = 0, limit: int = 24
) -> tuple[list[Product], int]:
    """One page of active products (optionally of one category) and how many there are in all."""
    where = [Product.active.is_(True)]
    if category:
        where.append(Product.category == category)
    total = session.execute(select(func.count(Product.id)).where(*where)).scalar_one()
    stmt = select(Product).where(*where).order_by(Product.id).offset(offset).limit(limit)
    return list(session.execute(stmt).scalars()), total


def product_by_sku(session: Session, *, sku: str) -> Product | None:
    stmt = (
        select(Product)
        .where(Product.sku == sku, Product.active.is_(True))
        .options(selectinload(Product.variants))
    )
    return session.execute(stmt).scalar()


def products_by_sku(session: Session, *, skus: list[str]) -> list[Product]:
    """The active products with these SKUs, in the order given."""
    stmt = select(Product).where(Product.sku.in_(skus), Product.active.is_(True))
    found = {p.sku: p for p in session.execute(stmt).scalars()}
    return [found[sku] for sku in skus if sku in found]


def best_sellers(session: Session, *, query: ProductQuery, limit: int = 5) -> list[Product]:
    """The most ordered active products that pass the query's filters (its words are ignored)."""
    matching = {
        p.id: p
        for p in search_products(
            session, query=ProductQuery(**{**query.__dict__, "text": None}), limit=10_000
        )
    }
    sold = (
        select(OrderLine.product_id, func.sum(OrderLine.quantity).label("sold"))
        .where(OrderLine.product_id.in_(list(matching)))
        .group_by(OrderLine.product_id)
        .order_by(func.sum(OrderLine.quantity).desc(), OrderLine.product_id)
    )
    ranked = [matching[row.product_id] for row in session.execute(sold)]
    unsold = [p for p in matching.values() if p not in ranked]
    return (ranked + unsold)[:limit]


def bought_with(session: Session, *, product_id: int, limit: int = 5) -> list[Product]:
    """Active, in-stock products most often in the same orders as this one."""
    together = select(OrderLine.order_id).where(OrderLine.product_id == product_id)
    stmt = (
        select(OrderLine.product_id, func.count(func.distinct(OrderLine.order_id)).label("orders"))
        .where(OrderLine.order_id.in_(together), OrderLine.product_id != product_id)
        .group_by(OrderLine.product_id)
        .order_by(func.count(func.distinct(OrderLine.order_id)).desc(), OrderLine.product_id)
    )
    ranked = [row.product_id for row in session.execute(stmt)]
    in_stock = select(Product).where(
        Product.id.in_(ranked),
        Product.active.is_(True),
        Product.variants.any(ProductVariant.stock > 0),  # type: ignore[attr-defined]
    )
    found = {p.id: p for p in session.execute(in_stock).scalars()}
    return [found[i] for i in ranked if i in found][:limit]
