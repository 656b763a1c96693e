"""Ask the recommendation service, or get None so the caller answers from the store instead."""

from __future__ import annotations

import logging
from typing import Any

from bot.config import get_settings
from bot.recommender.client import Pick, RecommenderUnavailable, get_picks

logger = logging.getLogger(__name__)
PICKS = 5
"""Products shown per answer."""


async def ask_recommender(path: str, params: dict[str, Any]) -> list[Pick] | None:
    """The service's picks for GET `path`; None when it is down, slow or refuses."""
    try:
        settings = get_settings()
        return await get_picks(
            settings.recommender_url, path, {**params, "limit": PICKS}, token=settings.service_token
        )
    except RecommenderUnavailable as exc:
        logger.warning("recommendations unavailable for %s (%s): using the store", path, exc)
        return None
