"""`python -m actions.server`: the action server, on ACTION_HOST:ACTION_PORT, for callers with the secret only.

rasa-sdk's own entry point (`python -m rasa_sdk`) binds 0.0.0.0 and runs every action for anyone
who can reach it: delete a user's data, create leads, list candidates for any sender id. This one
builds the same Sanic app (`rasa_sdk.endpoint.create_app`) and adds one request middleware that runs
before everything else and answers 401 to every request, /health included, that does not carry
ACTION_SECRET in the X-Werkpunt-Action-Secret header. Rasa sends that header with every action
call (endpoints.yml, `action_endpoint.headers`). CORS is off: no browser has business here.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from concurrent.futures import ThreadPoolExecutor

from rasa_sdk.endpoint import create_app as create_sdk_app
from sanic import Sanic, response
from sanic.request import Request

from actions.role_buttons import RoleAwareExecutor
from settings import get_settings

SECRET_HEADER = "X-Werkpunt-Action-Secret"  # endpoints.yml sends it
log = logging.getLogger("actions.server")


def create_app(secret: str) -> Sanic:
    """rasa-sdk's app with Werkpunt's actions, refusing every request without `secret`."""
    if not secret:
        raise ValueError("the action server needs a secret (ACTION_SECRET)")
    expected = secret.encode()
    executor = RoleAwareExecutor()  # buttons fit the user's role (issue 12, actions/role_buttons.py)
    executor.register_package("actions")
    app = create_sdk_app(executor, cors_origins="")

    async def require_secret(request: Request):
        given = (request.headers.get(SECRET_HEADER) or "").encode()
        if not hmac.compare_digest(given, expected):
            log.warning("action server: %s %s without a valid secret refused", request.method, request.path)
            return response.json({"error": "Niet toegestaan: het gedeelde geheim ontbreekt of klopt niet."},
                                 status=401)
        return None

    # Highest priority: before rasa-sdk's CORS middleware, which would answer preflights itself.
    app.register_middleware(require_secret, "request", priority=1000)

    async def database_threads(app: Sanic) -> None:
        # Actions run their database work in threads (actions/service_support.with_db); the default
        # executor has min(32, cores + 4) threads, 6 here: with 20 users at once, queries would queue
        # behind each other. ACTION_THREADS threads; SQLAlchemy's pool (5 + 10 overflow) covers them.
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(max_workers=get_settings().action_threads, thread_name_prefix="action-db"))

    app.register_listener(database_threads, "before_server_start")
    return app


def main() -> None:
    settings = get_settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # rasa-sdk logs whole trackers (user text, slot values) at DEBUG; keep it at INFO or quieter.
    logging.getLogger("rasa_sdk").setLevel(max(logging.INFO, logging.getLogger().level))
    app = create_app(settings.secret("action_secret"))
    log.info("action server on %s:%s", settings.action_host, settings.action_port)
    app.run(host=settings.action_host, port=settings.action_port, single_process=True, access_log=False,
            motd=False)


if __name__ == "__main__":
    main()
