"""The action server: rasa-sdk's app with our actions, for the Rasa server's calls only.

The action server trusts the tracker it is sent, so whoever can call it is every shopper at once:
it binds to loopback unless told otherwise and refuses requests without the service token that
endpoints.yml has Rasa send (`SHOPDESK_SERVICE_TOKEN`).
"""

from __future__ import annotations

from rasa_sdk.endpoint import create_app as create_sdk_app
from sanic import Sanic

from bot.config import Settings
from bot.service_auth import require_service_token

ACTION_PACKAGE = "actions"


def create_app(settings: Settings) -> Sanic:
    app = create_sdk_app(ACTION_PACKAGE, cors_origins=None)
    require_service_token(app, settings.service_token)
    return app
