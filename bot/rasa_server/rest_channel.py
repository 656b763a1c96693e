"""The REST channel (`POST /webhooks/rest/webhook`), guarded like the widget's channel.

Rasa's own REST channel stores whatever metadata the caller sends and has no limits. This one
keeps Rasa's request and answer format and adds: a bearer token when `SHOPDESK_REST_TOKEN` is set
(in production the channel is off without one), a per-client rate limit, the length cap, and
metadata built on the server (bot/rasa_server/guard.py). A message with several requests is handled
as one turn per request (bot/rasa_server/message_parts.py).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.config import get_settings
from bot.handoff.relay import bearer_matches
from bot.rasa_server.guard import TOO_FAST, RateLimiter, client_address, message_metadata, refusal
from bot.rasa_server.message_parts import handle_in_parts
from bot.rasa_server.topic_follow_up import previous_message

logger = logging.getLogger(__name__)

SENDER = re.compile(r"^[A-Za-z0-9_.:@-]{1,100}$")


def _error(message: str, status: int) -> HTTPResponse:
    return response.json({"error": message}, status=status)


class GuardedRestInput(InputChannel):
    """Rasa's REST protocol with a token, a rate limit, a length cap and server-side metadata."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def __init__(self) -> None:
        self.settings = get_settings()
        self.limiter = RateLimiter(self.settings.messages_per_minute)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        settings = self.settings
        webhook = Blueprint("shopdesk_rest", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if settings.is_production and not settings.rest_token:
                return _error("the REST channel is off (set SHOPDESK_REST_TOKEN to open it)", 404)
            authorization = request.headers.get("Authorization")
            if settings.rest_token and not bearer_matches(authorization, settings.rest_token):
                return _error("not authorized", 401)
            body = request.json if isinstance(request.json, dict) else {}
            sender, text = body.get("sender"), body.get("message")
            if not isinstance(sender, str) or not SENDER.match(sender):
                return _error("sender must be 1 to 100 letters, digits or _.:@-", 400)
            if not isinstance(text, str):
                return _error("message must be text", 400)
            client = client_address(
                request.ip,
                request.headers.get("X-Forwarded-For"),
                settings.trusted_proxies,
            )
            if not self.limiter.allow(client):
                logger.warning("REST client over its rate limit")
                return response.json([{"recipient_id": sender, "text": TOO_FAST}], status=429)
            refused = refusal(text, settings)
            if refused:
                return response.json([{"recipient_id": sender, "text": refused}])
            collector = CollectingOutputChannel()
            message = UserMessage(
                text,
                collector,
                sender,
                input_channel=self.name(),
                metadata=message_metadata(body.get("metadata"), client, settings),
            )
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None:
                await handle_in_parts(message, on_new_message, None)
            else:
                previous = previous_message(agent, sender)
                await handle_in_parts(message, on_new_message, agent.parse_message, previous)
            return response.json(collector.messages)

        return webhook
