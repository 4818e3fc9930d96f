"""Faults and bad input against the real stack (gateway, Rasa, action server; fake Telegram Bot API):
typed intent syntax sets no slot, a PII canary reaches no log file, and killed children are healed by the
launcher's supervisor (werkpunt/supervisor.py, the code `make run` runs)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import random
import secrets
import signal
import threading
import time

import httpx
import pytest

from tests.conftest import STACK_GATEWAY_SECRET
from werkpunt.rasa_env import rasa_environ
from werkpunt.stack import children, wait_http
from werkpunt.supervisor import Supervisor
from werkpunt.training import ensure_model

pytestmark = pytest.mark.rasa
CHAT_ID = 515151


def run(loop, coroutine, timeout: float = 120):
    return asyncio.run_coroutine_threadsafe(coroutine, loop).result(timeout)


def bsn_like() -> str:
    """A random nine-digit number that passes the 11-test, as a real BSN does."""
    while True:
        digits = [random.randint(0, 9) for _ in range(8)]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1)))
        for last in range(10):
            if (total - last) % 11 == 0 and digits[0]:
                return "".join(map(str, digits)) + str(last)


def key(conversation_id: str, payload: str) -> str:
    """The key the gateway gives the browser for a button (bot.gateway.Gateway.button_key)."""
    return hmac.new(STACK_GATEWAY_SECRET.encode(), f"button:{conversation_id}:{payload}".encode(),
                    hashlib.sha256).hexdigest()[:24]


def press(stack, browser: httpx.Client, payload_part: str) -> dict:
    payload = next(p for p in reversed(stack.button_payloads(browser)) if payload_part in p)
    return browser.post("/api/message", json={"payload": key(stack.conversation_id(browser), payload),
                                              "title": payload}).json()


def test_typed_intent_syntax_sets_no_slot_and_skips_no_step(stack):
    typed = '/apply_for_vacancy{"vacancy_id":"Infinity","job_title":"xyzzyvlieger","location":"Xyzzystad"}'
    with httpx.Client(base_url=stack.gateway, timeout=90) as browser:
        browser.get("/")
        reply = browser.post("/api/message", json={"text": typed}).json()
        conversation = stack.conversation_id(browser)
    assert not reply["failed"], reply
    tracker = stack.tracker(conversation)
    slots = tracker["slots"]
    assert slots.get("vacancy_id") != "Infinity" and slots.get("job_title") != "xyzzyvlieger"
    # "Xyzzystad" may still be read as a place by NLU from the plain text, as from any typed sentence.
    user = [e for e in tracker["events"] if e["event"] == "user"][-1]
    assert not user["text"].startswith("/") and user["parse_data"]["intent"].get("confidence", 0) < 1.0 or \
        user["parse_data"]["intent"]["name"] != "apply_for_vacancy"
    actions = [e.get("name") for e in tracker["events"] if e["event"] == "action"]
    assert "action_apply_for_vacancy" not in actions  # the step behind the questions was not reached


class Supervised:
    """The launcher's supervisor over the running test stack, checking once a second in a thread."""

    def __init__(self, stack) -> None:
        env = rasa_environ(stack.settings)
        self.specs = children(stack.settings, ensure_model(stack.settings), env)
        self.supervisor = Supervisor(self.specs, stack.procs, env, stack.log_dir)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while not self.stopped.wait(0.5):
            self.supervisor.check()

    def kill_and_heal(self, name: str, during=None) -> float:
        """SIGKILL one child; `during()` runs while it is away; returns seconds until it answers again."""
        index = [c.name for c in self.specs].index(name)
        before, proc = self.supervisor.restarts, self.supervisor.procs[index]
        started = time.monotonic()
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
        if during is not None:
            during()
        deadline = started + 300
        while self.supervisor.restarts == before and time.monotonic() < deadline:
            time.sleep(0.2)
        child = self.specs[index]
        assert wait_http(child.health, 300, self.supervisor.procs[index], **child.credentials), f"{name} not healed"
        return time.monotonic() - started


def test_pii_canary_and_killed_children_are_healed(stack, fake_bot_api):
    fake, loop = fake_bot_api
    email = f"kanarie.{secrets.token_hex(4)}@voorbeeld.nl"
    phone = "06" + "".join(random.choice("123456789") for _ in range(8))
    bsn = bsn_like()
    canaries = (email, phone, bsn, phone[2:])
    supervised = Supervised(stack)
    try:
        with httpx.Client(base_url=stack.gateway, timeout=120) as browser:
            browser.get("/")
            for text in (f"Mijn e-mail is {email} en mijn nummer is {phone}", f"mijn bsn is {bsn}",
                         "Ik zoek werk als schilder in Amersfoort", "bel mij terug", "Jan Kanarie", phone,
                         "morgen om 10 uur", "ik wil een medewerker spreken"):
                reply = browser.post("/api/message", json={"text": text}).json()
                assert not reply["failed"], (text, reply)

            def while_away() -> None:  # the gateway answers with the fallback, and stores the message
                away = browser.post("/api/message", json={"text": f"hallo, nog steeds {email}"}).json()
                assert away["messages"][0]["text"].endswith(email)

            supervised.kill_and_heal("actieserver", while_away)
            supervised.kill_and_heal("rasa", while_away)
            after = browser.post("/api/message", json={"text": "Ik zoek werk als schilder in Amersfoort"}).json()
            assert not after["failed"], after  # Rasa answers again, with the conversation's tracker
            supervised.kill_and_heal("gateway")
            history = browser.get("/api/history").json()["messages"]
            assert sum(1 for m in history if m["author"] == "user" and email in m["text"]) == 3  # nothing lost
            browser.post("/api/message", json={"text": "verwijder mijn gegevens"})
            erased = press(stack, browser, "affirm")
            assert erased["reset"], erased
        run(loop, fake.wait_for(lambda calls: any(c.method == "getUpdates" for c in calls), 60))
        for text in (f"mijn e-mail is {email}", f"bel mij op {phone}", f"bsn {bsn}", "verwijder mijn gegevens"):
            count = len(fake.sent(CHAT_ID))
            run(loop, fake.push(fake.text(CHAT_ID, text)))
            run(loop, fake.wait_sent(count + 1, CHAT_ID, timeout=90))
        title = "Ja, wis alles"  # the confirmation button of the deletion question (domain/privacy.yml)
        run(loop, fake.wait_for(lambda calls: any(title in str(c.params.get("reply_markup")) for c in calls), 90))
        asking = next(c for c in reversed(fake.sent(CHAT_ID)) if title in str(c.params.get("reply_markup")))
        count = len(fake.sent(CHAT_ID))
        run(loop, fake.push(fake.press(CHAT_ID, asking, title)))
        run(loop, fake.wait_sent(count + 1, CHAT_ID, timeout=90))
    finally:
        supervised.stopped.set()
        supervised.thread.join(5)
    logs = sorted(p for p in stack.log_dir.rglob("*") if p.is_file())
    assert {p.name for p in logs} >= {"actieserver.log", "rasa.log", "gateway.log"}
    found = {(p.name, c) for p in logs for c in canaries if c in p.read_text(errors="replace")}
    assert not found, f"user data in log files: {found}"
