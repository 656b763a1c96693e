"""Load a store's own catalog from CSV: all rows or none, with errors that name the bad row."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import Product, ProductVariant

COLUMNS = (
    "sku",
    "title",
    "category",
    "brand",
    "price",
    "description",
    "image_url",
    "attributes",
    "colour",
    "size",
    "stock",
)
REQUIRED = ("sku", "title", "category", "brand", "price", "colour", "size", "stock")


class CatalogImportError(ValueError):
    """The file cannot be imported; the message names the row and the problem."""


@dataclass
class ProductRow:
    sku: str
    title: str
    category: str
    brand: str
    price: Decimal
    description: str
    image_url: str
    attributes: list[str]
    variants: dict[tuple[str, str], int] = field(default_factory=dict)


def _parse_row(n: int, row: dict[str, str]) -> tuple[ProductRow, str, str, int]:
    values = {k: (row.get(k) or "").strip() for k in COLUMNS}
    missing = [k for k in REQUIRED if not values[k]]
    if missing:
        raise CatalogImportError(f"row {n}: missing {', '.join(missing)}")
    try:
        price = Decimal(values["price"])
    except InvalidOperation:
        raise CatalogImportError(f"row {n}: price {values['price']!r} is not a number") from None
    if price < 0 or price != price.quantize(Decimal("0.01")):
        raise CatalogImportError(f"row {n}: price {values['price']!r} must be >= 0 with 2 decimals")
    if not values["stock"].isdigit():
        raise CatalogImportError(f"row {n}: stock {values['stock']!r} must be a whole number >= 0")
    product = ProductRow(
        sku=values["sku"],
        title=values["title"],
        category=values["category"].lower(),
        brand=values["brand"],
        price=price,
        description=values["description"],
        image_url=values["image_url"],
        attributes=[a.strip() for a in values["attributes"].split(";") if a.strip()],
    )
    return product, values["colour"].lower(), values["size"].upper(), int(values["stock"])


def parse_catalog(lines: Iterable[str]) -> list[ProductRow]:
    """Products from CSV rows (one row per colour/size variant); raises on the first bad row."""
    reader = csv.DictReader(lines)
    absent = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if absent:
        raise CatalogImportError(f"header: missing column(s) {', '.join(absent)}")
    products: dict[str, ProductRow] = {}
    for n, row in enumerate(reader, start=2):
        parsed, colour, size, stock = _parse_row(n, row)
        known = products.setdefault(parsed.sku, parsed)
        if (known.title, known.price) != (parsed.title, parsed.price):
            raise CatalogImportError(
                f"row {n}: sku {parsed.sku} has a different title or price above"
            )
        if (colour, size) in known.variants:
            raise CatalogImportError(f"row {n}: sku {parsed.sku} lists {colour}/{size} twice")
        known.variants[(colour, size)] = stock
    if not products:
        raise CatalogImportError("the file has no product rows")
    return list(products.values())


def import_catalog(session: Session, *, path: Path) -> int:
    """Insert or update the products in a CSV file; returns how many products it held."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = parse_catalog(handle)
    existing = {
        p.sku: p
        for p in session.execute(
            select(Product).where(Product.sku.in_([r.sku for r in rows]))
        ).scalars()
    }
    for row in rows:
        product = existing.get(row.sku) or Product(sku=row.sku)
        product.title, product.category, product.brand = row.title, row.category, row.brand
        product.price, product.description = row.price, row.description
        product.image_url, product.attributes, product.active = row.image_url, row.attributes, True
        by_key = {(v.colour, v.size): v for v in product.variants}
        for (colour, size), stock in row.variants.items():
            variant = by_key.get((colour, size))
            if variant is None:
                product.variants.append(ProductVariant(colour=colour, size=size, stock=stock))
            else:
                variant.stock = stock
        session.add(product)
    session.flush()
    return len(rows)
