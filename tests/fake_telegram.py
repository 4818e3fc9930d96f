"""A local fake of the Telegram Bot API over real HTTP, for python-telegram-bot's `base_url`.

It answers the methods the gateway uses, queues updates for getUpdates (long polling), delivers
updates to a webhook like Telegram does, can answer 429 Too Many Requests or other errors, and records every call
so tests can await what the user would have seen.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fake_rasa import serve

TOKEN = "123456:TEST-token_for-the-fake-server"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Werkpunt", "username": "werkpunt_test_bot",
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}
# update_ids are unique per bot; tests share a database per module, so ids never repeat across fakes.
_UPDATE_IDS = itertools.count(random.randrange(10**9, 10**12))


@dataclass
class Call:
    method: str
    params: dict
    at: float  # time.monotonic() when the fake received it
    status: int = 200


def _decode(value: str):
    try:
        return json.loads(value)
    except ValueError:
        return value


class FakeTelegram:
    def __init__(self) -> None:
        self.url = ""  # set by the test once the server listens
        self.calls: list[Call] = []
        self.pending: list[dict] = []  # updates for the next getUpdates
        self.webhook: dict = {"url": "", "secret": None, "allowed_updates": None}
        self.limits: dict[str, list[int]] = {}  # method -> retry_after values for the next calls
        self.failures: dict[str, list[tuple[int, str]]] = {}  # method -> (HTTP status, description) to answer
        self._changed = asyncio.Condition()
        self._ids = _UPDATE_IDS
        self.closed = False
        self._messages = itertools.count(1)
        self.app = Starlette(routes=[Route("/bot{token}/{method}", self.endpoint, methods=["POST", "GET"])])

    @property
    def base_url(self) -> str:
        return self.url + "/bot"

    # --- the Bot API ---------------------------------------------------------------------------
    async def endpoint(self, request: Request) -> JSONResponse:
        if request.path_params["token"] != TOKEN:
            return JSONResponse({"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401)
        method = request.path_params["method"]
        form = await request.form() if request.method == "POST" else request.query_params
        params = {key: _decode(value) for key, value in form.items()}
        call = Call(method, params, time.monotonic())
        failure = self.failures.get(method)
        if failure:
            code, description = failure.pop(0)
            call.status = code
            await self._record(call)
            return JSONResponse({"ok": False, "error_code": code, "description": description}, status_code=code)
        retry = self.limits.get(method)
        if retry:
            call.status = 429
        await self._record(call)  # on arrival: a long-polling getUpdates shows up at once
        if retry:
            after = retry.pop(0)
            return JSONResponse({"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {after}",
                                 "parameters": {"retry_after": after}}, status_code=429)
        result = await self._get_updates(params) if method == "getUpdates" else self._answer(method, params)
        return JSONResponse({"ok": True, "result": result})

    def _answer(self, method: str, params: dict):
        if method == "getMe":
            return BOT_USER
        if method in ("sendMessage", "editMessageText"):
            message = {"message_id": next(self._messages), "date": int(time.time()),
                       "chat": {"id": int(params["chat_id"]), "type": "private", "first_name": "Test"},
                       "from": BOT_USER, "text": params.get("text", "")}
            if isinstance(params.get("reply_markup"), dict):
                message["reply_markup"] = params["reply_markup"]
            return message
        if method == "setWebhook":
            self.webhook = {"url": params["url"], "secret": params.get("secret_token"),
                            "allowed_updates": params.get("allowed_updates")}
            return True
        if method == "deleteWebhook":
            self.webhook = {"url": "", "secret": None, "allowed_updates": None}
            return True
        if method == "getWebhookInfo":
            info = {"url": self.webhook["url"], "has_custom_certificate": False, "pending_update_count": 0}
            if self.webhook["allowed_updates"]:
                info["allowed_updates"] = self.webhook["allowed_updates"]
            return info
        if method == "getMyCommands":
            return []
        return True  # sendChatAction, answerCallbackQuery, editMessageReplyMarkup, setMyCommands, ...

    async def _get_updates(self, params: dict) -> list[dict]:
        timeout = float(params.get("timeout") or 0)
        async with self._changed:
            if not self.pending and timeout:
                try:
                    await asyncio.wait_for(self._changed.wait_for(lambda: bool(self.pending) or self.closed), timeout)
                except TimeoutError:
                    pass
            batch, self.pending = self.pending, []
            return batch

    async def _record(self, call: Call) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    # --- test controls -------------------------------------------------------------------------
    async def close(self) -> None:
        """End pending long polls (the server can then stop at once)."""
        async with self._changed:
            self.closed = True
            self._changed.notify_all()

    async def push(self, *updates: dict) -> None:
        """Queue updates for long polling (the same update twice = Telegram redelivering it)."""
        async with self._changed:
            self.pending.extend(updates)
            self._changed.notify_all()

    def rate_limit(self, method: str, *retry_after: int) -> None:
        """The next calls of `method` get 429 with these retry_after values."""
        self.limits.setdefault(method, []).extend(retry_after)

    def fail(self, method: str, *errors: tuple[int, str]) -> None:
        """The next calls of `method` get these errors, e.g. (502, "Bad Gateway") or
        (403, "Forbidden: bot was blocked by the user"), as Telegram answers them."""
        self.failures.setdefault(method, []).extend(errors)

    async def deliver(self, update: dict, secret: str | None = "registered") -> httpx.Response:
        """POST an update to the registered webhook, as Telegram does (with its secret header)."""
        headers = {}
        secret = self.webhook["secret"] if secret == "registered" else secret
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret.encode()  # bytes: non-ASCII tests too
        async with httpx.AsyncClient(timeout=10) as client:
            return await client.post(self.webhook["url"], json=update, headers=headers)

    async def wait_for(self, check: Callable[[list[Call]], bool], timeout: float = 10) -> list[Call]:
        """Wait until `check(calls)` is true; returns the calls."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: check(self.calls)), timeout)
            return list(self.calls)

    def sent(self, chat_id: int | None = None) -> list[Call]:
        return [c for c in self.calls if c.method == "sendMessage" and c.status == 200
                and (chat_id is None or int(c.params["chat_id"]) == chat_id)]

    async def wait_sent(self, count: int, chat_id: int | None = None, timeout: float = 10) -> list[Call]:
        await self.wait_for(lambda calls: len(self.sent(chat_id)) >= count, timeout)
        return self.sent(chat_id)

    # --- updates as Telegram sends them --------------------------------------------------------
    def _message(self, chat_id: int, **fields) -> dict:
        user = {"id": chat_id, "is_bot": False, "first_name": "Test", "language_code": "nl"}
        return {"message_id": next(self._messages), "date": int(time.time()), "from": user,
                "chat": {"id": chat_id, "type": "private", "first_name": "Test"}, **fields}

    def text(self, chat_id: int, text: str, update_id: int | None = None) -> dict:
        fields: dict = {"text": text}
        if text.startswith("/"):
            fields["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return {"update_id": update_id or next(self._ids), "message": self._message(chat_id, **fields)}

    def photo(self, chat_id: int) -> dict:
        size = {"file_id": "AgAD", "file_unique_id": "AQAD", "width": 90, "height": 90}
        return {"update_id": next(self._ids), "message": self._message(chat_id, photo=[size])}

    def edited(self, chat_id: int, text: str) -> dict:
        message = self._message(chat_id, text=text, edit_date=int(time.time()))
        return {"update_id": next(self._ids), "edited_message": message}

    def press(self, chat_id: int, sent: Call, title: str) -> dict:
        """The user presses the button `title` under the message the bot sent in `sent`."""
        markup = sent.params["reply_markup"]
        data = next(b["callback_data"] for row in markup["inline_keyboard"] for b in row if b["text"] == title)
        message = self._message(chat_id, text=sent.params["text"], reply_markup=markup)
        message["from"] = BOT_USER
        query = {"id": str(next(self._ids)), "from": {"id": chat_id, "is_bot": False, "first_name": "Test"},
                 "chat_instance": "42", "data": data, "message": message}
        return {"update_id": next(self._ids), "callback_query": query}


@asynccontextmanager
async def running_fake_telegram() -> AsyncIterator[FakeTelegram]:
    """A FakeTelegram listening on a free local port (`fake.base_url` for python-telegram-bot)."""
    fake = FakeTelegram()
    async with serve(fake.app) as url:
        fake.url = url
        try:
            yield fake
        finally:
            await fake.close()
