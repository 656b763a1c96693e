"""Hard filters: a result that fails one is never shown, however well it scores."""

from __future__ import annotations

from dataclasses import dataclass

from bot.store.catalog import CatalogItem, Variant


@dataclass(frozen=True)
class Filters:
    in_stock: bool = True
    min_price: float | None = None
    max_price: float | None = None
    size: str | None = None
    colour: str | None = None
    category: str | None = None
    brand: str | None = None
    exclude: frozenset[int] = frozenset()
    """Products never to show: the one asked about, what the shopper bought or returned."""


def available_variants(item: CatalogItem, filters: Filters) -> list[Variant]:
    """The variants of `item` in the size and colour asked for, and in stock unless not required."""
    return [
        v
        for v in item.variants
        if (not filters.in_stock or v.stock > 0)
        and (filters.size is None or v.size.lower() == filters.size.lower())
        and (filters.colour is None or v.colour.lower() == filters.colour.lower())
    ]


def passes(item: CatalogItem, filters: Filters) -> bool:
    if item.id in filters.exclude:
        return False
    if filters.min_price is not None and item.price < filters.min_price:
        return False
    if filters.max_price is not None and item.price > filters.max_price:
        return False
    if filters.category and item.category.lower() != filters.category.lower():
        return False
    if filters.brand and item.brand.lower() != filters.brand.lower():
        return False
    needs_variant = filters.in_stock or filters.size is not None or filters.colour is not None
    return not needs_variant or bool(available_variants(item, filters))
