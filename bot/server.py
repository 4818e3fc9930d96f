"""The gateway as an ASGI app: web chat, Telegram (polling or webhook), health.

`create_app(settings, engine=..., mounts={...})` builds it; the product's composition root
(`werkpunt/app.py`) mounts the staff workspace into it. The gateway knows nothing of what is mounted:
it only runs the mounted apps' lifespans, which Starlette does not do for mounts by itself.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp

from bot import text as texts
from bot.alert_job import AlertJob
from bot.gateway import Gateway, install
from bot.rasa_client import RasaClient
from bot.store import Store
from bot.retry import Retrier
from bot.telegram_runtime import WEBHOOK_PATH, TelegramRunner, webhook
from bot.privacy_page import router as privacy_router
from bot.webchat import router as webchat_router
from placement.db import engine_for
from settings import VAR, Settings, get_settings, stored_secret

log = logging.getLogger("bot")
HERE = Path(__file__).resolve().parent
SECRET_FILE = VAR / "gateway_secret"


def gateway_secret(settings: Settings, path: Path = SECRET_FILE) -> bytes:
    """GATEWAY_SECRET, or a random one made on first start and kept in var/ (mode 0600)."""
    configured = settings.gateway_secret.get_secret_value()
    return configured.encode() if configured else stored_secret(path).encode()


def _configure_logging(settings: Settings) -> None:
    # uvicorn only configures its own loggers; ours go to stderr (var/log/gateway.log under make run).
    if not log.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
        logging.getLogger("telegram").addHandler(handler)
    log.setLevel(settings.log_level.upper())
    # httpx logs every request URL at INFO, and Bot API URLs contain the bot token.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _static_version() -> str:
    digest = hashlib.sha256()
    for path in sorted((HERE / "static").iterdir()):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def create_app(settings: Settings | None = None, *, engine: Engine | None = None,
               tracker_engine: Engine | None = None, mounts: Mapping[str, ASGIApp] | None = None) -> FastAPI:
    """The gateway app. `engine`/`tracker_engine` default to DATABASE_URL / TRACKER_STORE_URL;
    `mounts` maps a path prefix to another ASGI app served beside the gateway."""
    settings = settings or get_settings()
    mounts = dict(mounts or {})

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        _configure_logging(settings)
        store = Store(engine or engine_for(settings.database_url),
                      tracker_engine or engine_for(settings.tracker_store_url))
        rasa = RasaClient(settings)
        gateway = Gateway(settings, store, rasa, gateway_secret(settings))
        app.state.gateway = gateway
        app.state.telegram = None
        install(gateway)
        if settings.telegram_token.get_secret_value():
            try:
                app.state.telegram = TelegramRunner(settings, gateway)
                app.state.telegram.start()
            except ValueError as exc:
                log.error("Telegram stays off: %s", exc)
        else:
            log.warning(texts.TELEGRAM_HELP)
        retrier = Retrier(gateway)  # failed Telegram deliveries and erasures (bot/retry.py)
        retrier.start()
        app.state.alert_job = AlertJob(gateway)  # match alerts: events → matches → Telegram pushes
        app.state.alert_job.start()
        try:
            async with AsyncExitStack() as stack:
                for mounted in mounts.values():  # mounted apps get no lifespan events of their own
                    lifespan_of = getattr(getattr(mounted, "router", None), "lifespan_context", None)
                    if lifespan_of is not None:
                        await stack.enter_async_context(lifespan_of(mounted))
                yield
        finally:
            await retrier.stop()
            await app.state.alert_job.stop()
            if app.state.telegram is not None:
                await app.state.telegram.stop()
            await gateway.held.stop()
            await rasa.aclose()
            install(None)

    app = FastAPI(title="Werkpunt gateway", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.static_version = _static_version()

    @app.get("/health", include_in_schema=False)
    async def health(request: Request) -> dict:
        runner = getattr(request.app.state, "telegram", None)
        if runner is None:
            telegram = "off"
        elif runner.ready.is_set():
            telegram = "webhook" if runner.webhook else "polling"
        else:
            telegram = "failed" if runner.failed else "starting"
        return {"status": "ok", "telegram": telegram}

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": texts.BAD_REQUEST}, status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        message = "Deze pagina bestaat niet." if exc.status_code == 404 else texts.BAD_REQUEST
        return JSONResponse({"error": message}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error on %s: %s", request.url.path, type(exc).__name__, exc_info=exc)
        return JSONResponse({"error": texts.fallback(settings)}, status_code=500)

    app.add_api_route(WEBHOOK_PATH, webhook, methods=["POST"], include_in_schema=False)
    app.include_router(webchat_router)
    app.include_router(privacy_router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for prefix, mounted in mounts.items():
        app.mount(prefix, mounted)
    return app
