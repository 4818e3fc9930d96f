"""The web chat: the page, and a small JSON API its script uses (history, send, long poll).

The conversation id lives in a signed, HttpOnly cookie the server issues; the client never picks it.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
from pathlib import Path

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates
from itsdangerous import BadSignature, URLSafeSerializer

from bot import text as texts
from bot import web_alerts
from bot.gateway import Gateway, Turn
from placement.privacy_notice import own_page_url

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter()

COOKIE = "werkpunt_chat"
MAX_BODY = 64 * 1024  # a message is at most a few thousand characters; JSON overhead included
DRAIN_LIMIT = 4 * 1024 * 1024  # read (and drop) bigger bodies up to this, so the client gets the 413
POLL_SECONDS = 10.0
MAX_ID = 2**53  # message ids are far below this; a bigger `after` is refused (422), never an overflow
BUTTON_KEY = re.compile("[0-9a-f]{24}")  # Gateway.button_key
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _gateway(request: Request) -> Gateway:
    return request.app.state.gateway


def _signer(request: Request) -> URLSafeSerializer:
    return URLSafeSerializer(_gateway(request).secret, salt="werkpunt-webchat")


def session_id(request: Request) -> str | None:
    """The conversation id from a valid cookie, or None."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        value = _signer(request).loads(raw)
    except BadSignature:
        return None
    return value if isinstance(value, str) and value.startswith("web-") else None


def _session(request: Request) -> tuple[str, bool]:
    current = session_id(request)
    return (current, False) if current else ("web-" + secrets.token_urlsafe(24), True)


def _set_cookie(request: Request, response: Response, conversation_id: str) -> None:
    response.set_cookie(COOKIE, _signer(request).dumps(conversation_id), httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", path="/")


def _json(request: Request, data: dict, conversation_id: str, new: bool, status: int = 200) -> JSONResponse:
    response = JSONResponse(data, status_code=status, headers={"Cache-Control": "no-store"})
    if new:
        _set_cookie(request, response, conversation_id)
    return response


def _error(message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers={"Cache-Control": "no-store"})


async def read_limited(request: Request, limit: int) -> bytes | None:
    """The request body, or None when it is larger than `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > DRAIN_LIMIT:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > DRAIN_LIMIT:
            return None
        if size <= limit:
            chunks.append(chunk)
    return b"".join(chunks) if size <= limit else None


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def page(request: Request) -> Response:
    """The chat page (Dutch); a first visit gets a fresh session cookie."""
    conversation_id, new = _session(request)
    settings = _gateway(request).settings
    # The footer's retention period and privacy link come from the settings (bot/privacy_page.py).
    response = templates.TemplateResponse(request, "chat.html", {"version": request.app.state.static_version,
                                                                  "max_chars": settings.max_message_chars,
                                                                  "retention_days": settings.retention_days,
                                                                  "privacy_url": settings.privacy_url.strip()
                                                                  or own_page_url(settings)},
                                          headers=SECURITY_HEADERS)
    if new:
        _set_cookie(request, response, conversation_id)
    return response


@router.get("/api/history")
async def history(request: Request) -> JSONResponse:
    """All messages of this browser's conversation, oldest first, and whether staff has taken over."""
    conversation_id, new = _session(request)
    gateway = _gateway(request)
    messages, info, unread = [], None, 0
    if not new:  # issue 16: a returning user sees the alerts that waited for them
        shown, (messages, info, unread) = await asyncio.to_thread(_poll, gateway, conversation_id, 0, True)
        if shown:  # other tabs of this conversation are woken for them
            gateway.notifier.notify(conversation_id)
    return _json(request, {"messages": _public(gateway, conversation_id, [m.as_json() for m in messages]),
                           "handoff": info.handoff_state if info else "none", "alerts_unread": unread},
                 conversation_id, new)


@router.get("/api/updates")
async def updates(request: Request, after: int = Query(0, ge=0, le=MAX_ID)) -> JSONResponse:
    """Messages newer than `after`; waits up to POLL_SECONDS for one (e.g. a staff reply).

    The browser polls again after every answer, so a poll is one thread hop and one read transaction
    before it waits (it writes only when alerts are waiting), and one after."""
    conversation_id = session_id(request)
    if conversation_id is None:
        return _error("Uw sessie is verlopen. Laad de pagina opnieuw.", 401)
    gateway = _gateway(request)
    event = gateway.notifier.listen(conversation_id)
    shown, (messages, info, unread) = await asyncio.to_thread(_poll, gateway, conversation_id, after, True)
    if shown:  # alerts matched since the last poll: other tabs of this conversation are woken for them
        gateway.notifier.notify(conversation_id)
    if not messages:
        waiter = asyncio.create_task(gateway.notifier.wait(conversation_id, event, POLL_SECONDS))
        gone = asyncio.create_task(_disconnected(request))
        await asyncio.wait({waiter, gone}, return_when=asyncio.FIRST_COMPLETED)
        for task in (waiter, gone):
            task.cancel()
        if gone.done() and not gone.cancelled():
            return Response(status_code=204)
        _, (messages, info, unread) = await asyncio.to_thread(_poll, gateway, conversation_id, after, False)
    return _json(request, {"messages": _public(gateway, conversation_id, [m.as_json() for m in messages]),
                           "handoff": info.handoff_state if info else "none", "alerts_unread": unread},
                 conversation_id, False)


def _poll(gateway: Gateway, conversation_id: str, after: int, alerts: bool):
    """(alerts shown now, (messages after `after`, conversation info, unread alerts)), in a worker thread.
    Waiting alerts (issue 16) become messages here when `alerts` is set and there are some."""
    after = max(after, 0)
    messages, info, (unread, waiting) = gateway.store.poll_view(conversation_id, after, web_alerts.counts_in)
    shown = web_alerts.show_waiting(gateway.store.engine, conversation_id) if alerts and waiting else 0
    if shown:
        messages, info, (unread, _) = gateway.store.poll_view(conversation_id, after, web_alerts.counts_in)
    return shown, (messages, info, unread)


async def _disconnected(request: Request) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass


def _is_json(request: Request) -> bool:
    return request.headers.get("content-type", "").split(";")[0].strip().lower() == "application/json"


def _public(gateway: Gateway, conversation_id: str, messages: list[dict]) -> list[dict]:
    """Messages as the browser gets them: each button carries a key, its payload stays on the server."""
    for item in messages:
        for button in item.get("buttons") or []:
            button["payload"] = gateway.button_key(conversation_id, button["payload"])
    return messages


def _turn_json(gateway: Gateway, conversation_id: str, turn: Turn) -> dict:
    shown = [turn.user] if turn.user else []
    messages = [m.as_json() for m in shown]
    for reply in turn.replies:
        messages.append(reply.as_json() if hasattr(reply, "as_json") else
                        {"id": None, "author": "bot", "text": reply.text, "status": "ok",
                         "buttons": [{"title": b.title, "payload": b.payload} for b in reply.buttons]})
    return {"messages": _public(gateway, conversation_id, messages), "failed": turn.failed,
            "silent": turn.silent, "reset": turn.deleted}


@router.post("/api/message")
async def message(request: Request) -> JSONResponse:
    """Send one message: {"text": ...}, a button {"payload": "/intent", "title": ...} or {"start": true}."""
    if not _is_json(request):  # also keeps other sites' plain HTML forms out
        return _error(texts.BAD_REQUEST, 415)
    body = await read_limited(request, MAX_BODY)
    if body is None:
        return _error(texts.TOO_LARGE, 413)
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: JSON nested ~1,000 deep
        return _error(texts.BAD_REQUEST, 400)
    if not isinstance(data, dict):
        return _error(texts.BAD_REQUEST, 400)
    gateway = _gateway(request)
    payload, title, typed = data.get("payload"), data.get("title"), data.get("text")
    if data.get("start") is True:
        shown, rasa_message = "/start", "/greet"
    elif payload is not None:  # a button: the key of a payload this gateway sent in this conversation
        if not (isinstance(payload, str) and BUTTON_KEY.fullmatch(payload)):
            return _error(texts.BAD_REQUEST, 400)
        current = session_id(request)
        rasa_message = await gateway.issued_payload(current, payload) if current else None
        if rasa_message is None:
            return _error(texts.STALE_BUTTON, 409)
        shown = texts.clean(title)[:200] if isinstance(title, str) and texts.clean(title) else rasa_message
    elif isinstance(typed, str):
        shown, problem = texts.check(typed, gateway.settings)
        if problem:
            return _error(problem, 422)
        rasa_message = None  # typed text: Rasa gets it as plain text, never as intent syntax
    else:
        return _error(texts.EMPTY, 422)
    conversation_id, new = _session(request)
    if not gateway.limits.allow(conversation_id, request.client.host if request.client else None):
        return _error(texts.SLOW_DOWN, 429)  # not stored: the text stays in the user's input box
    turn = await gateway.turn(conversation_id, "web", shown, rasa_message)
    if turn.deleted:  # the user's data is gone: this browser starts a fresh, unrelated session
        conversation_id, new = "web-" + secrets.token_urlsafe(24), True
    return _json(request, _turn_json(gateway, conversation_id, turn), conversation_id, new)


@router.post("/api/restart")
async def restart(request: Request) -> JSONResponse:
    """Start a new conversation; the old one ends (it stays stored for staff, as the notice says)."""
    if not _is_json(request):
        return _error(texts.BAD_REQUEST, 415)
    old = session_id(request)
    gateway = _gateway(request)
    if old and await asyncio.to_thread(gateway.store.conversation, old):
        await gateway.stop(old, "web")
    return _json(request, {"messages": []}, "web-" + secrets.token_urlsafe(24), True)
