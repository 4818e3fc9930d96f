"""The gateway's channel into Rasa: Rasa's REST channel, refusing every caller without the gateway's token.

Rasa's own REST channel accepts any sender id from anyone who can reach it. This one behaves exactly
like it (same request and answer: text, buttons, custom json, metadata), at /webhooks/werkpunt/webhook,
but only for requests that carry the shared token in the X-Werkpunt-Token header (RASA_TOKEN, put in
credentials.yml by ${RASA_TOKEN}). So nobody else on the network can speak as a user, even when Rasa
listens beyond loopback. The gateway's side is bot/rasa_client.py.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request

logger = logging.getLogger(__name__)

TOKEN_HEADER = "X-Werkpunt-Token"  # must match bot/rasa_client.py
CHANNEL_NAME = "werkpunt"  # URL: /webhooks/werkpunt/webhook


class WerkpuntInput(RestInput):
    """REST channel plus a constant-time check of the gateway's token on every route."""

    def __init__(self, token: Text) -> None:
        self.token = token.encode()

    @classmethod
    def name(cls) -> Text:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WerkpuntInput":
        token = str((credentials or {}).get("token") or "")
        if not token:  # fail closed: a channel without a token would be Rasa's open REST channel again
            raise RasaException("credentials.yml: het Werkpunt-kanaal heeft een token nodig (RASA_TOKEN).")
        return cls(token)

    def allowed(self, request: Request) -> bool:
        given = (request.headers.get(TOKEN_HEADER) or "").encode()
        return hmac.compare_digest(given, self.token)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)

        @webhook.middleware("request")
        async def require_token(request: Request) -> Optional[response.HTTPResponse]:
            if self.allowed(request):
                return None
            logger.warning("Werkpunt channel: call without a valid token refused")
            return response.json({"status": "failure", "reason": "NotAuthenticated"}, status=401)

        return webhook
