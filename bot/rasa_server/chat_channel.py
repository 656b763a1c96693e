"""The socket.io channel the chat widget talks to.

Rasa 3.6's own `SocketIOInput` loses every reply when `session_persistence` is on (it calls
python-socketio 5's coroutine `enter_room` without awaiting it), cannot send custom payloads
(product cards) as data, and forgets the conversation when the page reloads. This channel keeps
Rasa's wire protocol (`session_request` / `session_confirm`, `user_uttered` / `bot_uttered`) and
adds what a store widget needs:

- the conversation's history is sent on every `session_request`, so a reload, a new page or a
  reconnect shows the same conversation from the server's tracker store, never a local copy;
- every shopper message carries a client id; a message sent again (`resend`) that the server
  already has, or is handling now, is not handled twice, so a client may safely resend what it
  is unsure about after a dropped connection (first sends skip the look-up);
- the history waits for the messages of the conversation still being handled, so an answer
  that was on its way when the connection dropped is in it, in its place;
- socket.io itself checks the page's origin against the store's configured origins;
- a conversation is continued only with its proof: the key the server gave the widget when the
  conversation began (a keyed hash of its id) and, once a signed-in shopper wrote in it, a
  token for that same shopper; anything less starts a new conversation;
- a message with several requests is handled as one turn per request, in order
  (bot/rasa_server/message_parts.py);
- messages are rate-limited per client, capped in length before NLU, and stored with metadata
  the server builds (bot/rasa_server/guard.py), never the shopper's token;
- `POST /webhooks/socketio/handoff` takes the agent console's notices (bot/handoff/relay.py):
  a person joined, wrote, handed back or closed; they are stored and pushed to the shopper.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.auth import verify_shopper_token
from bot.config import Settings, get_settings
from bot.handoff.relay import Notice, bearer_matches
from bot.rasa_server.guard import TOO_FAST, RateLimiter, client_address, message_metadata, refusal
from bot.rasa_server.handoff_relay import apply_notice, as_message
from bot.rasa_server.in_flight import InFlight
from bot.rasa_server.message_parts import handle_in_parts
from bot.rasa_server.topic_follow_up import previous_message
from bot.widget import widget_file

logger = logging.getLogger(__name__)

MESSAGE_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
HISTORY_LIMIT = 200
RETRY_AFTER_MS = 5_000


def widget_message(message: dict[str, Any]) -> dict[str, Any]:
    """One bot message as the widget renders it: text, quick replies, custom payload, image."""
    out: dict[str, Any] = {}
    if message.get("text"):
        out["text"] = str(message["text"])
    buttons = message.get("buttons") or message.get("quick_replies") or []
    if buttons:
        out["quick_replies"] = [
            {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
            for b in buttons
        ]
    for key in ("custom", "image", "attachment"):
        if message.get(key):
            out[key] = message[key]
    return out


def conversation_key(secret: str, session_id: str) -> str:
    """The proof a widget keeps to continue its conversation: a keyed hash of the id."""
    return hmac.new(secret.encode(), session_id.encode(), hashlib.sha256).hexdigest()[:40]


def owner_of(events: list[dict[str, Any]]) -> int | None:
    """The signed-in shopper who wrote in a conversation, if any (the channel vouched for it)."""
    for event in events:
        if event.get("event") == "user":
            customer_id = (event.get("metadata") or {}).get("customer_id")
            if isinstance(customer_id, int):
                return customer_id
    return None


def may_continue(
    data: dict[str, Any], session_id: str, events: list[dict[str, Any]], settings: Settings
) -> bool:
    """Whether a session request proves the conversation is the requester's."""
    key = data.get("session_key")
    if not isinstance(key, str) or not hmac.compare_digest(
        key.encode(), conversation_key(settings.conversation_secret, session_id).encode()
    ):
        return False
    owner = owner_of(events)
    if owner is None:
        return True
    token = data.get("shopper_token")
    return verify_shopper_token(token, secret=settings.jwt_secret) == owner


def history(events: list[dict[str, Any]], limit: int = HISTORY_LIMIT) -> list[dict[str, Any]]:
    """What the shopper and the assistant said, oldest first, as the widget renders it."""
    said: list[dict[str, Any]] = []
    for event in events:
        if event.get("event") == "user":
            metadata = event.get("metadata") or {}
            said.append(
                {
                    "from": "user",
                    "text": metadata.get("display") or event.get("text") or "",
                    "message_id": event.get("message_id"),
                }
            )
        elif event.get("event") == "bot":
            message = widget_message({"text": event.get("text"), **(event.get("data") or {})})
            if message:
                said.append({"from": "bot", **message})
    return said[-limit:]


class WidgetOutput(OutputChannel):
    """Sends each bot message as one `bot_uttered` event to the conversation's room."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def __init__(self, sio: AsyncServer, bot_message_evt: str) -> None:
        self.sio = sio
        self.bot_message_evt = bot_message_evt

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        payload = widget_message(message)
        if payload:
            await self.sio.emit(self.bot_message_evt, payload, room=recipient_id)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})


class WidgetSocketIOInput(InputChannel):
    """Rasa's socket.io protocol with history, idempotent messages and an origin check."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        return cls(
            user_message_evt=credentials.get("user_message_evt", "user_uttered"),
            bot_message_evt=credentials.get("bot_message_evt", "bot_uttered"),
            socketio_path=credentials.get("socketio_path", "/socket.io"),
            allowed_origins=str(credentials.get("allowed_origins") or "").split(),
        )

    def __init__(
        self,
        user_message_evt: str = "user_uttered",
        bot_message_evt: str = "bot_uttered",
        socketio_path: str = "/socket.io",
        allowed_origins: list[str] | None = None,
    ) -> None:
        self.user_message_evt = user_message_evt
        self.bot_message_evt = bot_message_evt
        self.socketio_path = socketio_path
        # None lets only pages from the Rasa server's own origin connect.
        self.allowed_origins = allowed_origins or None
        self.sio: AsyncServer | None = None
        self.app: Sanic | None = None
        self.in_flight = InFlight()
        self.settings = get_settings()
        self.limiter = RateLimiter(self.settings.messages_per_minute)

    def get_output_channel(self) -> OutputChannel | None:
        return WidgetOutput(self.sio, self.bot_message_evt) if self.sio else None

    async def _events(self, sender_id: str) -> list[dict[str, Any]]:
        agent = getattr(self.app.ctx, "agent", None) if self.app else None
        if agent is None or agent.tracker_store is None:
            return []
        tracker = await agent.tracker_store.retrieve(sender_id)
        return [e.as_dict() for e in tracker.events] if tracker else []

    async def _already_has(self, sender_id: str, message_id: str) -> bool:
        return any(
            e.get("event") == "user" and e.get("message_id") == message_id
            for e in await self._events(sender_id)
        )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        settings = self.settings
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=self.allowed_origins)
        self.sio = sio
        webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)

        @webhook.listener("after_server_start")
        async def remember_app(app: Sanic, _: Any) -> None:
            self.app = app

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/widget/<name>", methods=["GET"])
        async def widget(_: Request, name: str) -> HTTPResponse:
            return await widget_file(name)

        @webhook.route("/handoff", methods=["POST"])
        async def handoff(request: Request) -> HTTPResponse:
            if not bearer_matches(request.headers.get("Authorization"), settings.relay_secret):
                return response.json({"error": "not authorized"}, status=401)
            try:
                notice = Notice.parse(request.json)
            except ValueError as exc:
                return response.json({"error": str(exc)}, status=400)
            agent = getattr(self.app.ctx, "agent", None) if self.app else None
            if agent is None or agent.tracker_store is None:
                return response.json({"error": "the assistant is starting"}, status=503)
            said = await apply_notice(agent, notice)
            if said is None:
                return response.json({"error": "no such conversation"}, status=404)
            output = WidgetOutput(sio, self.bot_message_evt)
            for event in said:
                await output.send_response(notice.conversation_id, as_message(event))
            return response.json({"ok": True, "messages": len(said)})

        @sio.on("connect")
        async def connect(sid: str, environ: dict[str, Any]) -> None:
            request = environ.get("sanic.request")
            peer = request.ip if request is not None else str(environ.get("REMOTE_ADDR", ""))
            forwarded = request.headers.get("X-Forwarded-For") if request is not None else None
            client = client_address(peer, forwarded, settings.trusted_proxies)
            await sio.save_session(sid, {"client": client})

        @sio.on("session_request")
        async def session_request(sid: str, data: Any) -> None:
            data = data if isinstance(data, dict) else {}
            requested = data.get("session_id")
            session_id = uuid.uuid4().hex
            events: list[dict[str, Any]] = []
            if isinstance(requested, str) and SESSION_ID.match(requested):
                # Answers still on their way go to the history, not after it.
                await self.in_flight.settled(requested)
                events = await self._events(requested)
                if may_continue(data, requested, events, settings):
                    session_id = requested
                else:
                    events = []
            connection = await sio.get_session(sid)
            previous = connection.get("session_id")
            if previous and previous != session_id:  # one conversation per connection
                await sio.leave_room(sid, previous)
            await sio.enter_room(sid, session_id)
            await sio.save_session(sid, {**connection, "session_id": session_id})
            await sio.emit("session_confirm", session_id, room=sid)
            await sio.emit(
                "session_history",
                {
                    "messages": history(events),
                    "session_key": conversation_key(settings.conversation_secret, session_id),
                },
                room=sid,
            )

        @sio.on(self.user_message_evt)
        async def handle_message(sid: str, data: Any) -> dict[str, Any]:
            connection = await sio.get_session(sid)
            session_id = connection.get("session_id")
            if not session_id or not isinstance(data, dict):
                return {"ok": False, "error": "send session_request first"}
            text = data.get("message")
            if not isinstance(text, str):
                return {"ok": False, "error": "message must be text"}
            refused = refusal(text, settings)
            if refused:
                return {"ok": False, "refused": True, "error": refused}
            client = str(connection.get("client", ""))
            if not self.limiter.allow(client):
                return {"ok": False, "error": TOO_FAST, "retry_after_ms": RETRY_AFTER_MS}
            message_id = data.get("message_id")
            if not (isinstance(message_id, str) and MESSAGE_ID.match(message_id)):
                message_id = uuid.uuid4().hex
            elif data.get("resend"):
                await self.in_flight.finished(session_id, message_id)
                if await self._already_has(session_id, message_id):
                    return {"ok": True, "duplicate": True}
            message = UserMessage(
                text,
                WidgetOutput(sio, self.bot_message_evt),
                session_id,
                input_channel=self.name(),
                message_id=message_id,
                metadata=message_metadata(data.get("metadata"), client, settings),
            )
            agent = getattr(self.app.ctx, "agent", None) if self.app else None
            parse = agent.parse_message if agent else None
            previous = previous_message(agent, session_id) if agent else None
            await self.in_flight.handle(
                session_id,
                message_id,
                lambda: handle_in_parts(message, on_new_message, parse, previous),
            )
            return {"ok": True}

        return webhook
