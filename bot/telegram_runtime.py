"""Running the Telegram bot that `bot/telegram.py` builds: start/stop with the web process, the webhook.

Polling (TELEGRAM_TOKEN only) for local use; webhook mode (TELEGRAM_WEBHOOK_URL too) in production,
served by the gateway's own route and registered only when Telegram's registration differs.
The `Application` is built once per start; a failed start is retried with the same one.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import re

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from telegram import Update
from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application

from bot.gateway import Gateway
from bot.telegram import ALLOWED_UPDATES, build_application
from bot.webchat import read_limited
from settings import Settings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/telegram/webhook"
MAX_UPDATE_BYTES = 1_000_000
_SECRET_CHARS = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def webhook_secret(configured: str, gateway_secret: bytes) -> str:
    """TELEGRAM_SECRET, or one derived from the gateway secret (stable across restarts)."""
    if configured:
        if not _SECRET_CHARS.match(configured):
            raise ValueError("TELEGRAM_SECRET mag alleen A-Z, a-z, 0-9, _ en - bevatten (1-256 tekens)")
        return configured
    return hmac.new(gateway_secret, b"telegram-webhook", hashlib.sha256).hexdigest()


def registered_url(url: str, secret: str, allowed_updates: list[str]) -> str:
    """The URL given to Telegram: it carries a fingerprint of the secret and update types, so
    getWebhookInfo shows whether this deploy's registration is already in place."""
    mark = hmac.new(secret.encode(), ",".join(allowed_updates).encode(), hashlib.sha256).hexdigest()[:12]
    return f"{url}{'&' if '?' in url else '?'}v={mark}"


async def ensure_webhook(bot, url: str, secret: str, allowed_updates: list[str]) -> bool:
    """Register the webhook unless Telegram already has exactly this one; True if it was set."""
    target = registered_url(url, secret, allowed_updates)
    info = await bot.get_webhook_info()
    if info.url == target:
        log.info("Telegram webhook already registered")
        return False
    await bot.set_webhook(target, secret_token=secret, allowed_updates=allowed_updates, max_connections=40)
    log.info("Telegram webhook registered")
    return True


class TelegramRunner:
    """Starts the bot in the background so the web chat never waits for Telegram."""

    def __init__(self, settings: Settings, gateway: Gateway) -> None:
        self.settings = settings
        self.gateway = gateway
        self.webhook = bool(settings.telegram_webhook_url)
        self.secret = webhook_secret(settings.telegram_secret.get_secret_value(), gateway.secret)
        self.application: Application | None = None
        self.ready = asyncio.Event()
        self.failed = False  # a configuration problem; the log says which
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="telegram-start")

    async def _run(self) -> None:
        delay = 2.0
        application = build_application(self.settings, self.gateway, self.webhook)
        while True:
            retry = False
            try:
                await application.initialize()
                if self.webhook:
                    await ensure_webhook(application.bot, self.settings.telegram_webhook_url, self.secret,
                                         ALLOWED_UPDATES)
                await application.start()
                if not self.webhook:
                    await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
                break
            except InvalidToken:
                log.error("Telegram: TELEGRAM_TOKEN is not accepted by Telegram; ask @BotFather for the token")
            except (NetworkError, RetryAfter) as exc:
                retry = True
                log.warning("Telegram not reachable (%s); retrying in %.0f s", type(exc).__name__, delay)
            except TelegramError as exc:
                log.error("Telegram could not start: %s", exc)
            await _shutdown(application)
            if not retry:
                self.failed = True
                return
            await asyncio.sleep(delay)
            delay = min(delay * 2, 60)
        self.application = application
        self.gateway.telegram = application
        self.ready.set()
        log.info("Telegram is on (%s)", "webhook" if self.webhook else "long polling")

    async def settled(self) -> bool:
        """Wait until starting has succeeded or given up (it retries while Telegram is unreachable)."""
        if self._task is not None:
            await asyncio.shield(self._task)
        return self.ready.is_set()

    async def stop(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.application is not None:
            await _shutdown(self.application)
            self.application = None
        self.gateway.telegram = None


async def _shutdown(application: Application) -> None:
    with contextlib.suppress(Exception):
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()


ID_LIMIT = 2**52  # Telegram's ids fit in 52 bits; bigger ones would overflow the database's BIGINT


def _sane_ids(update: Update) -> bool:
    """An update whose update_id and chat/user ids are integers Telegram could send."""
    ids = [update.update_id, getattr(update.effective_chat, "id", 0), getattr(update.effective_user, "id", 0)]
    return all(isinstance(i, int) and -ID_LIMIT < i < ID_LIMIT for i in ids) and update.update_id >= 0


async def webhook(request: Request) -> Response:
    """Telegram's deliveries in webhook mode: 403 without the right secret, 200 once handled."""
    runner: TelegramRunner | None = getattr(request.app.state, "telegram", None)
    if runner is None or not runner.webhook:
        return JSONResponse({"error": "Telegram webhook staat uit"}, status_code=404)
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode("utf-8", "replace"), runner.secret.encode()):
        return JSONResponse({"error": "verboden"}, status_code=403)
    if not runner.ready.is_set():
        return JSONResponse({"error": "nog niet klaar"}, status_code=503)  # Telegram retries later
    body = await read_limited(request, MAX_UPDATE_BYTES)
    if body is None:
        return JSONResponse({"error": "te groot"}, status_code=413)
    try:
        update = Update.de_json(json.loads(body), runner.application.bot)
    # broken or ~1,000-deep JSON; a `date` beyond time_t (1e267: OverflowError, 7e16: OSError EOVERFLOW)
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError, OverflowError, OSError):
        return JSONResponse({"error": "geen geldige update"}, status_code=400)
    if update is None or not _sane_ids(update):
        return JSONResponse({"error": "geen geldige update"}, status_code=400)
    # Handled before the answer: Telegram redelivers an update that got no 200, so a crash loses
    # nothing. 503 while the update is not done (another worker has it, or a dead process claimed
    # it and the claim is not stale yet): Telegram tries again later.
    application = runner.application
    await application.update_processor.process_update(update, application.process_update(update))
    if not await asyncio.to_thread(runner.gateway.store.update_done, update.update_id):
        return JSONResponse({"error": "wordt nog verwerkt"}, status_code=503)
    return Response(status_code=200)
