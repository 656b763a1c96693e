"""The catalog as plain, immutable records read from the store, for the recommender and the
catalog entity extractor."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.store.models import Product


@dataclass(frozen=True)
class Variant:
    colour: str
    size: str
    stock: int


@dataclass(frozen=True)
class CatalogItem:
    id: int
    sku: str
    title: str
    category: str
    brand: str
    price: float
    description: str
    attributes: tuple[str, ...]
    variants: tuple[Variant, ...]
    image_url: str = ""
    """Shown on the product's card; not part of what it is (`text`)."""

    @property
    def kind(self) -> str:
        """What it is, whoever makes it: the last word of its title ("jacket", "shoes")."""
        words = self.title.lower().split()
        return words[-1] if words else ""

    @property
    def colours(self) -> tuple[str, ...]:
        """Its variants' colours, each once, in variant order."""
        return tuple(dict.fromkeys(v.colour for v in self.variants))

    @property
    def sizes(self) -> tuple[str, ...]:
        """Its variants' sizes, each once, in variant order."""
        return tuple(dict.fromkeys(v.size for v in self.variants))

    @property
    def text(self) -> str:
        """What the product's embedding is made from: title, category, brand, attributes, text."""
        attributes = ", ".join(self.attributes)
        return f"{self.title}. {self.category}. {self.brand}. {attributes}. {self.description}"

    @property
    def text_hash(self) -> str:
        """Changes exactly when `text` does: the key of the product's cached embedding."""
        return hashlib.sha1(self.text.encode("utf-8")).hexdigest()[:16]


def item_from_product(product: Product) -> CatalogItem:
    return CatalogItem(
        id=product.id,
        sku=product.sku,
        title=product.title,
        category=product.category,
        brand=product.brand,
        price=float(product.price),
        description=product.description or "",
        attributes=tuple(str(a) for a in product.attributes or ()),
        variants=tuple(Variant(v.colour, v.size, v.stock) for v in product.variants),
        image_url=product.image_url,
    )


def active_catalog(session: Session) -> list[CatalogItem]:
    """Every active product with its variants, by id."""
    stmt = (
        select(Product)
        .where(Product.active.is_(True))
        .options(selectinload(Product.variants))
        .order_by(Product.id)
    )
    return [item_from_product(p) for p in session.execute(stmt).scalars()]
