"""A widget-like socket.io client for tests against the running shop."""

from __future__ import annotations

import asyncio
from typing import Any

import socketio

from tests.server_process import Shop, shopper_address


class Client:
    """A widget-like socket.io client that records what the server sends.

    It polls over HTTP: python-engineio's async websocket needs a newer aiohttp than Rasa pins.
    The browser tests cover the websocket transport.
    """

    def __init__(self, address: str = "") -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self.address = address or shopper_address()
        self.key: str | None = None
        """The proof of the conversation the server gave this client, to continue it later."""
        for name in ("session_confirm", "session_history", "bot_uttered"):
            self.sio.on(name, self._recorder(name))

    def _recorder(self, name: str):  # type: ignore[no-untyped-def]
        async def record(data: Any) -> None:
            await self.events.put((name, data))

        return record

    async def next(self, name: str) -> Any:
        while True:
            event, data = await asyncio.wait_for(self.events.get(), timeout=60)
            if event == name:
                return data

    async def connect(self, shop: Shop) -> None:
        headers = {"Origin": shop.site, "X-Forwarded-For": self.address}
        await self.sio.connect(shop.chat_url, headers=headers, transports=["polling"])

    async def request(self, session_id: str | None, key: str | None, token: str = "") -> str:
        """Ask for a conversation (with its proof); the id the server confirmed."""
        request = {"session_id": session_id, "session_key": key}
        if token:
            request["shopper_token"] = token
        await self.sio.emit("session_request", request)
        return str(await self.next("session_confirm"))

    async def history(self) -> list[dict]:
        """The next history the server sends; remembers the conversation's key."""
        sent = await self.next("session_history")
        self.key = sent["session_key"]
        return list(sent["messages"])

    async def open(
        self, shop: Shop, session_id: str | None = None, key: str | None = None, token: str = ""
    ) -> tuple[str, list[dict]]:
        await self.connect(shop)
        confirmed = await self.request(session_id, key, token)
        return confirmed, await self.history()

    def received(self) -> list[str]:
        """The names of the events that arrived and were not waited for yet."""
        names = []
        while not self.events.empty():
            names.append(self.events.get_nowait()[0])
        return names

    async def close(self) -> None:
        """Hang up without waiting out the current long poll."""
        await self.sio.eio.disconnect(abort=True)

    async def say(self, text: str, message_id: str, resend: bool = False) -> dict:
        message = {"message": text, "message_id": message_id, "resend": resend}
        return await self.sio.call("user_uttered", message, timeout=60)

    async def quiet_for(self, seconds: float) -> list[str]:
        """The events that arrive within `seconds` (the assistant should be silent)."""
        await asyncio.sleep(seconds)
        return self.received()
