"""`make reliability`, Telegram scenarios of the light harness (tools/reliability.py): a forged webhook call,
a duplicate update, and the Bot API refusing with 5xx and 429 retry_after (eventual delivery, in order)."""

from __future__ import annotations

import time
import uuid

import httpx

from bot.models import ChatMessage
from tools.reliability_fuzz import WEBHOOK_SECRET


def telegram_lines(h) -> list[dict]:
    chat = 770000 + int(time.time()) % 1000
    update = {"update_id": 880000 + chat, "message": {"message_id": 1, "date": int(time.time()), "text": "hallo dubbel",
                                                     "chat": {"id": chat, "type": "private"},
                                                     "from": {"id": chat, "is_bot": False, "first_name": "T"}}}
    secret = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    before = h.count(ChatMessage.author == "user")
    forged = [httpx.post(f"{h.base}/telegram/webhook", json=update, headers=headers).status_code
              for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "fout"})]
    time.sleep(1)
    forged_ok = forged == [403, 403] and h.count(ChatMessage.author == "user") == before
    codes = [httpx.post(f"{h.base}/telegram/webhook", json=update, headers=secret).status_code for _ in range(2)]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and h.count(ChatMessage.text == "hallo dubbel") < 1:
        time.sleep(0.2)
    time.sleep(1)
    stored = h.count(ChatMessage.text == "hallo dubbel")
    answers = h.count(ChatMessage.author == "bot", ChatMessage.text == "U zei: hallo dubbel")
    return [{"fault": "forged_telegram_webhook", "survived": forged_ok, "sent": 2, "answered": 2,
             "lost": 0 if forged_ok else 1, "recovered_s": 0.0},
            {"fault": "duplicate_telegram_update", "survived": codes == [200, 200] and stored == 1 and answers == 1,
             "sent": 1, "answered": answers, "lost": 1 - min(stored, 1), "recovered_s": 0.0}]


def telegram_refusals(h) -> dict:
    """The Bot API answers sendMessage with 502, 503 and then 429 (retry_after 1): every reply arrives, in order."""
    chat = 660000 + int(time.time()) % 1000
    secret = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    bot = f"http://127.0.0.1:{h.ports['bot']}"
    httpx.post(f"{bot}/control/fail", json={"method": "sendMessage", "errors": [[502, "Bad Gateway"],
                                                                                [503, "Service Unavailable"]],
                                             "retry_after": [1]})
    tag = uuid.uuid4().hex[:6]
    sent = [f"geweigerd {tag} {n}" for n in range(4)]
    started = time.monotonic()
    for n, text in enumerate(sent):
        update = {"update_id": 990000 + chat * 10 + n, "message": {
            "message_id": n + 1, "date": int(time.time()), "text": text, "chat": {"id": chat, "type": "private"},
            "from": {"id": chat, "is_bot": False, "first_name": "T"}}}
        httpx.post(f"{h.base}/telegram/webhook", json=update, headers=secret, timeout=30)
        time.sleep(0.3)
    expected = ["U zei: " + text for text in sent]
    delivered: list[str] = []
    while time.monotonic() - started < 120 and len(delivered) < len(expected):
        time.sleep(0.5)
        delivered = [t for t in httpx.get(f"{bot}/control/sent/{chat}").json() if t in expected]
    recovered = time.monotonic() - started
    stored = [t for t in h.stored_user_texts() if t in sent]
    lost = sum(1 for t in sent if t not in stored) + sum(1 for t in expected if t not in delivered)
    in_order = delivered == expected
    return {"fault": "telegram_429_and_5xx", "survived": lost == 0 and in_order, "sent": len(sent),
            "answered": len(delivered), "lost": lost, "recovered_s": round(recovered, 1)}
