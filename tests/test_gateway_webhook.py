"""Telegram webhook mode: the fake Bot API server posts updates to the gateway's own route."""

from __future__ import annotations

import itertools
from contextlib import asynccontextmanager
from types import SimpleNamespace

import httpx
import pytest

from bot.telegram import ALLOWED_UPDATES
from bot.telegram_runtime import SECRET_HEADER, registered_url
from tests.fake_rasa import FakeRasa, gateway_settings, listening_socket, running_gateway, serve, tracker_engine
from tests.fake_telegram import TOKEN, running_fake_telegram

CHATS = itertools.count(6_000_001)
SECRET = "webhook-secret_123"


@pytest.fixture(scope="module")
def tracker(tmp_path_factory):
    return tracker_engine(tmp_path_factory.mktemp("tracker") / "tracker.db")


@asynccontextmanager
async def webhook_gateway(engine, tracker, tg, rasa_url: str, secret: str = SECRET):
    sock = listening_socket()  # the public URL must be known before the gateway starts
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/telegram/webhook"
    settings = gateway_settings(rasa_url, telegram_token=TOKEN, telegram_api_base_url=tg.base_url,
                                telegram_webhook_url=url, telegram_secret=secret)
    async with running_gateway(settings, engine, tracker, sock) as gw:
        await gw.app.state.telegram.ready.wait()
        yield SimpleNamespace(url=url, gw=gw)


@asynccontextmanager
async def stack(engine, tracker):
    rasa = FakeRasa()
    async with serve(rasa.app) as rasa_url, running_fake_telegram() as tg:
        async with webhook_gateway(engine, tracker, tg, rasa_url) as hook:
            yield SimpleNamespace(tg=tg, rasa=rasa, rasa_url=rasa_url, hook=hook, chat=next(CHATS))


async def test_webhook_registered_and_updates_answered(engine, tracker):
    async with stack(engine, tracker) as s:
        assert s.tg.webhook["url"] == registered_url(s.hook.url, SECRET, ALLOWED_UPDATES)
        assert s.tg.webhook["secret"] == SECRET and s.tg.webhook["allowed_updates"] == ALLOWED_UPDATES
        assert not any(c.method == "getUpdates" for c in s.tg.calls)  # no polling in webhook mode
        response = await s.tg.deliver(s.tg.text(s.chat, "/start"))
        assert response.status_code == 200
        greeting, notice = await s.tg.wait_sent(2, s.chat)
        assert notice.params["reply_markup"]["inline_keyboard"]
        async with httpx.AsyncClient() as client:
            health = (await client.get(s.hook.gw.url + "/health")).json()
        assert health["telegram"] == "webhook"


async def test_wrong_or_missing_secret_is_refused_with_403(engine, tracker):
    async with stack(engine, tracker) as s:
        wrong = await s.tg.deliver(s.tg.text(s.chat, "hallo"), secret="raden-maar")
        missing = await s.tg.deliver(s.tg.text(s.chat, "hallo"), secret=None)
        odd = await s.tg.deliver(s.tg.text(s.chat, "hallo"), secret="é" * 20)
        assert (wrong.status_code, missing.status_code, odd.status_code) == (403, 403, 403)
        ok = await s.tg.deliver(s.tg.text(s.chat, "daarna"))
        assert ok.status_code == 200
        (answer,) = await s.tg.wait_sent(1, s.chat)
        assert answer.params["text"] == "U zei: daarna" and s.rasa.messages() == ["daarna"]


async def test_redelivered_update_is_answered_once(engine, tracker):
    async with stack(engine, tracker) as s:
        update = s.tg.text(s.chat, "hallo")
        first, again = await s.tg.deliver(update), await s.tg.deliver(update)
        assert first.status_code == again.status_code == 200  # Telegram must stop retrying
        await s.tg.deliver(s.tg.text(s.chat, "daarna"))
        sent = await s.tg.wait_sent(2, s.chat)
        assert [c.params["text"] for c in sent] == ["U zei: hallo", "U zei: daarna"]


async def test_bad_bodies_get_clear_4xx(engine, tracker):
    async with stack(engine, tracker) as s:
        headers = {SECRET_HEADER: SECRET, "content-type": "application/json"}
        async with httpx.AsyncClient(timeout=10) as client:
            garbage = await client.post(s.hook.url, content=b"{niet-json", headers=headers)
            huge = await client.post(s.hook.url, content=b"[" + b"1," * 600_000 + b"1]", headers=headers)
        assert (garbage.status_code, huge.status_code) == (400, 413)


async def test_webhook_registered_once_per_deploy(engine, tracker):
    public = "https://werkpunt.example.nl/telegram/webhook"  # behind a proxy: the same URL every start
    rasa = FakeRasa()
    async with serve(rasa.app) as rasa_url, running_fake_telegram() as tg:
        async def start(secret: str) -> list[str]:
            tg.calls.clear()
            settings = gateway_settings(rasa_url, telegram_token=TOKEN, telegram_api_base_url=tg.base_url,
                                        telegram_webhook_url=public, telegram_secret=secret)
            async with running_gateway(settings, engine, tracker) as gw:
                await gw.app.state.telegram.ready.wait()
            return [c.method for c in tg.calls]

        assert "setWebhook" in await start(SECRET)  # first deploy registers
        again = await start(SECRET)  # a restart of the same deploy only checks
        assert "getWebhookInfo" in again and "setWebhook" not in again
        assert "setWebhook" in await start("new-secret")  # a new secret is a new registration
        assert tg.webhook["secret"] == "new-secret"
