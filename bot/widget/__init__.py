"""The chat widget's browser files, served by the Rasa server's channel and the demo store."""

from __future__ import annotations

from pathlib import Path

from sanic import response
from sanic.response import HTTPResponse

from bot.config import PROJECT_ROOT

WIDGET_DIR = Path(__file__).resolve().parent
WIDGET_FILES = {
    "shopdesk-widget.js": WIDGET_DIR / "shopdesk-widget.js",
    "shopdesk-widget.css": WIDGET_DIR / "shopdesk-widget.css",
    # The official socket.io client (v4, for Rasa's python-socketio 5), installed by `npm ci`.
    "socket.io.min.js": PROJECT_ROOT / "node_modules/socket.io-client/dist/socket.io.min.js",
}


async def widget_file(name: str) -> HTTPResponse:
    """One of the widget's files by name; 404 for anything else."""
    path = WIDGET_FILES.get(name)
    if path is None or not path.is_file():
        return response.text("not found", status=404)
    return await response.file(path, headers={"Cache-Control": "no-cache"})
