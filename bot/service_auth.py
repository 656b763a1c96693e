"""Internal services answer only callers that carry the shared service token."""

from __future__ import annotations

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.handoff.relay import bearer_matches

OPEN_PATHS = frozenset({"/health"})


def require_service_token(app: Sanic, token: str) -> None:
    """Refuse every request but a health check without `Authorization: Bearer <token>`."""

    async def check(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS or bearer_matches(
            request.headers.get("Authorization"), token
        ):
            return None
        return response.json({"error": "not authorized"}, status=401)

    app.register_middleware(check, "request")
