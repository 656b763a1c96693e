"""The agent console's line to the shopper's chat: notices it posts to the Rasa server.

The console runs in the store's web process; the shopper's socket.io connection lives in the
Rasa server. A notice (an agent joined, wrote, handed back or closed) goes to
`RELAY_PATH` on the Rasa server, which appends it to the conversation and pushes it to the
shopper's widget (bot/rasa_server/handoff_relay.py). Notices carry the relay's own secret
(`SHOPDESK_RELAY_SECRET`), which only the console and the Rasa server know.
"""

from __future__ import annotations

import asyncio
import hmac
import re
from dataclasses import asdict, dataclass

import aiohttp

RELAY_PATH = "/webhooks/socketio/handoff"
HANDOFF_SLOT = "handoff"
"""The domain slot saying where a request for a person went (agent / no_agent)."""
KINDS = frozenset({"joined", "message", "handed_back", "closed"})
CONVERSATION_ID = re.compile(r"^[A-Za-z0-9_.:@-]{1,100}$")
MAX_TEXT = 5_000
MAX_AGENT = 80
TIMEOUT_S = 5.0


class RelayError(RuntimeError):
    """The shopper's chat could not be reached, or refused the notice."""


def bearer_matches(header: str | None, secret: str) -> bool:
    """Whether an Authorization header carries `secret` as its bearer token (constant time)."""
    scheme, _, given = (header or "").partition(" ")
    return (
        bool(secret) and scheme == "Bearer" and hmac.compare_digest(given.encode(), secret.encode())
    )


@dataclass(frozen=True)
class Notice:
    """Something a person did in a conversation that the shopper must see."""

    conversation_id: str
    kind: str
    agent: str
    text: str = ""

    @classmethod
    def parse(cls, raw: object) -> Notice:
        """A notice from a request body; ValueError says what is wrong with it."""
        if not isinstance(raw, dict):
            raise ValueError("the body must be a JSON object")
        fields = {k: raw.get(k) for k in ("conversation_id", "kind", "agent", "text")}
        if not isinstance(fields["conversation_id"], str) or not CONVERSATION_ID.match(
            fields["conversation_id"]
        ):
            raise ValueError("conversation_id is missing or malformed")
        if fields["kind"] not in KINDS:
            raise ValueError(f"kind must be one of {sorted(KINDS)}")
        agent, text = fields["agent"], fields["text"] or ""
        if not isinstance(agent, str) or not agent.strip() or len(agent) > MAX_AGENT:
            raise ValueError(f"agent must be a name of 1 to {MAX_AGENT} characters")
        if not isinstance(text, str) or len(text) > MAX_TEXT:
            raise ValueError(f"text must be at most {MAX_TEXT} characters")
        if fields["kind"] == "message" and not text.strip():
            raise ValueError("a message needs text")
        return cls(fields["conversation_id"], fields["kind"], agent.strip(), text.strip())


async def send_notice(
    rasa_url: str, relay_secret: str, notice: Notice, timeout_s: float = TIMEOUT_S
) -> None:
    """Post a notice to the Rasa server; RelayError when it is not delivered in time."""
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout_s)) as http,
            http.post(
                rasa_url.rstrip("/") + RELAY_PATH,
                json=asdict(notice),
                headers={"Authorization": f"Bearer {relay_secret}"},
            ) as answer,
        ):
            if answer.status != 200:
                raise RelayError(f"the chat server answered {answer.status}")
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        raise RelayError(f"the chat server could not be reached ({type(exc).__name__})") from exc
