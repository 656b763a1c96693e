"""Query parameters of the recommendation service, checked: a bad one is a ParamError (HTTP 400)."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from bot.recommender.filters import Filters
from bot.recommender.profile import ConversationHints

Args = Mapping[str, Sequence[str]]
"""Each parameter's values, as given: a plain dict (Sanic's own `.get` returns only the first)."""

DEFAULT_LIMIT = 10
MAX_LIMIT = 50
MAX_TEXT = 200
MAX_NAME = 60
FILTER_PARAMS = ("min_price", "max_price", "size", "colour", "category", "brand", "in_stock")


class ParamError(ValueError):
    """A request parameter is missing, unknown or malformed; the message says which and why."""


@dataclass(frozen=True)
class SearchParams:
    text: str
    filters: Filters
    customer_id: int | None
    limit: int


@dataclass(frozen=True)
class ProductParams:
    """For the products similar to, or bought with, one product."""

    filters: Filters
    customer_id: int | None
    limit: int


@dataclass(frozen=True)
class ShopperParams:
    hints: ConversationHints
    text: str | None
    filters: Filters
    limit: int


def _check_names(args: Args, allowed: Collection[str]) -> None:
    for name, values in args.items():
        if name not in allowed:
            raise ParamError(f"unknown parameter '{name}'; allowed: {', '.join(sorted(allowed))}")
        if len(values) > 1:
            raise ParamError(f"give '{name}' once")


def _text(args: Args, name: str, max_length: int = MAX_NAME) -> str | None:
    values = args.get(name, ())
    if not values:
        return None
    value = " ".join(values[0].split())
    if not value:
        return None
    if len(value) > max_length:
        raise ParamError(f"'{name}' is longer than {max_length} characters")
    return value


def _price(args: Args, name: str) -> float | None:
    raw = _text(args, name)
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ParamError(f"'{name}' must be a number, got '{raw}'") from None
    if not math.isfinite(value) or value < 0:
        raise ParamError(f"'{name}' must be a price of 0 or more, got '{raw}'")
    return value


def positive_id(raw: str, name: str) -> int:
    if not raw.isdigit() or not 0 < int(raw) < 2**63:
        raise ParamError(f"'{name}' must be a positive whole number, got '{raw[:MAX_NAME]}'")
    return int(raw)


def _limit(args: Args) -> int:
    raw = _text(args, "limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ParamError(f"'limit' must be a whole number from 1 to {MAX_LIMIT}, got '{raw}'")
    return int(raw)


def _flag(args: Args, name: str, default: bool) -> bool:
    raw = _text(args, name)
    if raw is None:
        return default
    if raw.lower() in ("1", "true", "yes"):
        return True
    if raw.lower() in ("0", "false", "no"):
        return False
    raise ParamError(f"'{name}' must be true or false, got '{raw}'")


def _customer(args: Args) -> int | None:
    raw = _text(args, "customer_id")
    return positive_id(raw, "customer_id") if raw is not None else None


def _filters(args: Args, *, max_price_name: str = "max_price") -> Filters:
    filters = Filters(
        in_stock=_flag(args, "in_stock", True),
        min_price=_price(args, "min_price"),
        max_price=_price(args, max_price_name),
        size=_text(args, "size"),
        colour=_text(args, "colour"),
        category=_text(args, "category"),
        brand=_text(args, "brand"),
    )
    low, high = filters.min_price, filters.max_price
    if low is not None and high is not None and low > high:
        raise ParamError(f"'min_price' ({low:g}) is above '{max_price_name}' ({high:g})")
    return filters


def search_params(args: Args) -> SearchParams:
    _check_names(args, {"q", "customer_id", "limit", *FILTER_PARAMS})
    text = _text(args, "q", MAX_TEXT)
    if text is None:
        raise ParamError("'q' is required: the words to search for")
    return SearchParams(text, _filters(args), _customer(args), _limit(args))


def product_params(args: Args) -> ProductParams:
    _check_names(args, {"customer_id", "limit", *FILTER_PARAMS})
    return ProductParams(_filters(args), _customer(args), _limit(args))


def _said(args: Args) -> tuple[ConversationHints, Filters]:
    """What the shopper said: category and brand count as tastes; budget (the most they will
    pay), size and colour also become hard filters."""
    said = _filters(args, max_price_name="budget")
    hints = ConversationHints(
        category=said.category,
        brand=said.brand,
        colour=said.colour,
        size=said.size,
        budget=said.max_price,
    )
    hard = Filters(
        in_stock=said.in_stock,
        min_price=said.min_price,
        max_price=said.max_price,
        size=said.size,
        colour=said.colour,
    )
    return hints, hard


SAID_PARAMS = ("category", "brand", "budget", "size", "colour")


def shopper_params(args: Args) -> ShopperParams:
    _check_names(args, {"q", "limit", "min_price", "in_stock", *SAID_PARAMS})
    hints, filters = _said(args)
    return ShopperParams(hints, _text(args, "q", MAX_TEXT), filters, _limit(args))


def profile_params(args: Args) -> ConversationHints:
    _check_names(args, SAID_PARAMS)
    return _said(args)[0]
