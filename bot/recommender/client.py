"""The action server's side of the recommendation service: one short request, or nothing.

A service that is down, slow, answering errors or answering without what a product card needs
is `RecommenderUnavailable`, so the caller can fall back to the store database without the
shopper noticing.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import aiohttp

TIMEOUT_S = 2.0


class RecommenderUnavailable(RuntimeError):
    """The recommendation service gave no usable answer in time."""


@dataclass(frozen=True)
class Pick:
    """A product the service recommends, why, and what its card shows: from the answer alone."""

    sku: str
    title: str
    price: Decimal
    image_url: str
    reason: str


def pick_of(result: dict[str, Any]) -> Pick:
    """One result of the service's answer (bot/recommender/service.py `recommendation_json`)."""
    return Pick(
        sku=str(result["sku"]),
        title=str(result["title"]),
        price=Decimal(str(result["price"])),
        image_url=str(result["image_url"]),
        reason=str(result.get("reason") or ""),
    )


async def get_picks(
    base_url: str, path: str, params: dict[str, Any], *, token: str, timeout_s: float = TIMEOUT_S
) -> list[Pick]:
    """The results of GET `path` with the non-empty `params`, best first."""
    query = {k: str(v) for k, v in params.items() if v is not None and v != ""}
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout_s)) as http,
            http.get(
                base_url.rstrip("/") + path,
                params=query,
                headers={"Authorization": f"Bearer {token}"},
            ) as answer,
        ):
            if answer.status != 200:
                raise RecommenderUnavailable(f"the service answered {answer.status}")
            body = await answer.json()
        return [pick_of(r) for r in body.get("results", [])]
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
        raise RecommenderUnavailable(type(exc).__name__) from exc
    except (KeyError, TypeError, AttributeError, ArithmeticError) as exc:
        raise RecommenderUnavailable(f"a malformed answer ({type(exc).__name__})") from exc
