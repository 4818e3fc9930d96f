"""The deployed path: the stack started by the launcher code of `make run` with production-like settings
(PostgreSQL, non-empty GATEWAY_SECRET, RASA_TOKEN and ACTION_SECRET, a Telegram token against the local
fake Bot API; see the `stack` fixture in tests/conftest.py).

Secrets reach every child unmasked, every listener is on loopback, and every internal door is locked:
the action server without its shared secret, Rasa's HTTP API without its token and Werkpunt's Rasa
channel without the gateway's token all answer 401.
"""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path

import httpx
import pytest
from itsdangerous import BadSignature, URLSafeSerializer

from actions.server import SECRET_HEADER
from bot.rasa_client import CHANNEL_PATH, TOKEN_HEADER
from bot.webchat import COOKIE
from tests.conftest import STACK_ACTION_SECRET, STACK_GATEWAY_SECRET, STACK_RASA_TOKEN
from tests.fake_telegram import TOKEN

pytestmark = pytest.mark.rasa
CHAT_ID = 424242


def run(loop, coroutine, timeout: float = 90):
    return asyncio.run_coroutine_threadsafe(coroutine, loop).result(timeout)


def test_the_stack_runs_on_the_production_like_databases(stack, pg_ok):
    assert stack.settings.database_url.startswith("postgresql" if pg_ok else "sqlite")


def test_telegram_token_reaches_the_bot_api_unchanged_and_a_chat_works(stack, fake_bot_api):
    fake, loop = fake_bot_api
    # The fake answers only /bot<TOKEN>/...: any other token (such as '**********') gets 401, unrecorded.
    run(loop, fake.wait_for(lambda calls: any(c.method == "getUpdates" for c in calls), 60))
    assert httpx.get(f"{stack.gateway}/health", timeout=10).json()["telegram"] == "polling"
    run(loop, fake.push(fake.text(CHAT_ID, "hallo")))
    sent = run(loop, fake.wait_sent(1, CHAT_ID, timeout=60))
    assert sent[0].params["text"].strip()  # the real Rasa answered through the Telegram channel


def test_web_chat_cookie_is_signed_with_the_configured_secret(stack):
    response = httpx.get(f"{stack.gateway}/", timeout=30)
    cookie = response.cookies[COOKIE]
    conversation_id = URLSafeSerializer(STACK_GATEWAY_SECRET, salt="werkpunt-webchat").loads(cookie)
    assert conversation_id.startswith("web-")
    with pytest.raises(BadSignature):  # not the generated var/gateway_secret, not a masked '**********'
        URLSafeSerializer("**********", salt="werkpunt-webchat").loads(cookie)


def _stack_pids(stack) -> list[int]:
    """Every process of the stack: each child leads its own process group (start_new_session)."""
    groups = {proc.pid for proc in stack.procs}
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) in groups:  # field 5 of /proc/<pid>/stat: the process group
                pids.append(int(entry.name))
    return pids


def _listeners(pids: list[int]) -> list[tuple[str, int]]:
    """(local address, port) of every listening TCP socket the processes hold."""
    inodes = set()
    for pid in pids:
        fd_dir = Path(f"/proc/{pid}/fd")
        for fd in fd_dir.iterdir() if fd_dir.exists() else ():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            cols = line.split()
            if cols[3] == "0A" and cols[9] in inodes:  # 0A: LISTEN
                address, port = cols[1].split(":")
                raw = bytes.fromhex(address)
                if len(raw) == 4:
                    host = ".".join(str(b) for b in raw[::-1])
                else:  # IPv6, as four little-endian 32-bit words
                    words = [raw[i:i + 4][::-1] for i in range(0, 16, 4)]
                    host = ":".join(b"".join(words)[i:i + 2].hex() for i in range(0, 16, 2))
                found.append((host, int(port, 16)))
    return found


def test_every_listener_of_the_stack_is_on_loopback(stack):
    listeners = _listeners(_stack_pids(stack))
    ports = {port for _host, port in listeners}
    assert {stack.settings.port, stack.settings.rasa_port, stack.settings.action_port} <= ports, listeners
    assert all(host in ("127.0.0.1", "0000:0000:0000:0000:0000:0000:0000:0001") for host, _ in listeners), listeners


def test_no_secret_shows_in_a_process_list(stack):
    secrets = (STACK_GATEWAY_SECRET, STACK_RASA_TOKEN, STACK_ACTION_SECRET, TOKEN)
    for pid in _stack_pids(stack):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        assert not any(secret in cmdline for secret in secrets), cmdline


def test_the_action_server_refuses_every_call_without_the_shared_secret(stack):
    base = f"http://127.0.0.1:{stack.settings.action_port}"
    call = {"next_action": "action_delete_user_data", "sender_id": "someone-else", "tracker": {}, "domain": {},
            "version": "3.6.21"}
    assert httpx.post(f"{base}/webhook", json=call, timeout=10).status_code == 401
    assert httpx.post(f"{base}/webhook", json=call, headers={SECRET_HEADER: "guess"}, timeout=10).status_code == 401
    assert httpx.get(f"{base}/actions", timeout=10).status_code == 401
    assert httpx.get(f"{base}/health", timeout=10).status_code == 401
    assert httpx.get(f"{base}/health", headers={SECRET_HEADER: STACK_ACTION_SECRET}, timeout=10).status_code == 200


def test_rasa_http_api_and_channel_refuse_callers_without_the_token(stack):
    base = stack.rasa
    assert httpx.get(f"{base}/status", timeout=10).status_code == 401
    assert httpx.get(f"{base}/status", params={"token": "guess"}, timeout=10).status_code == 401
    assert httpx.get(f"{base}/conversations/someone/tracker", timeout=10).status_code == 401
    assert httpx.post(f"{base}/conversations/someone/tracker/events", json={"event": "pause"},
                      timeout=10).status_code == 401
    assert httpx.post(f"{base}/model/parse", json={"text": "hallo"}, timeout=10).status_code == 401
    body = {"sender": "someone", "message": "verwijder mijn gegevens"}
    assert httpx.post(f"{base}{CHANNEL_PATH}", json=body, timeout=10).status_code == 401
    assert httpx.post(f"{base}{CHANNEL_PATH}", json=body, headers={TOKEN_HEADER: "guess"},
                      timeout=10).status_code == 401
    # Rasa's own open REST channel is not there at all.
    assert httpx.post(f"{base}/webhooks/rest/webhook", json=body, timeout=10).status_code == 404
    assert httpx.get(f"{base}/status", params={"token": STACK_RASA_TOKEN}, timeout=10).status_code == 200


def test_the_web_chat_works_through_the_locked_channel(stack):
    with httpx.Client(base_url=stack.gateway, timeout=60) as browser:
        browser.get("/")
        reply = browser.post("/api/message", json={"text": "hallo"}).json()
        payloads = set(stack.button_payloads(browser))
    assert not reply["failed"]
    assert {"/identify_as_employer", "/identify_as_jobseeker"} <= payloads


def test_log_files_are_owner_only(stack):
    logs = sorted(stack.log_dir.glob("*.log"))
    assert {p.name for p in logs} == {"actieserver.log", "rasa.log", "gateway.log", "bewaartermijn.log"}
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in logs)


def test_a_bsn_typed_in_the_web_chat_is_stored_nowhere(stack):
    from sqlalchemy import create_engine, text

    with httpx.Client(base_url=stack.gateway, timeout=60) as browser:
        browser.get("/")
        browser.post("/api/message", json={"text": "ik wil me inschrijven"})
        reply = browser.post("/api/message", json={"text": "mijn bsn is 123456782"}).json()
    shown = [m["text"] for m in reply["messages"] if m["author"] == "user"]
    assert shown and "123456782" not in shown[-1] and "[BSN]" in shown[-1]
    assert any("BSN" in m["text"] for m in reply["messages"] if m["author"] == "bot"), reply  # the form explains
    for url in (stack.settings.database_url, stack.settings.tracker_store_url):
        engine = create_engine(url)
        with engine.connect() as conn:
            table, column = ("chat_message", "text") if url == stack.settings.database_url else ("events", "data")
            assert not conn.execute(text(f"SELECT COUNT(*) FROM {table} WHERE {column} LIKE '%123456782%'")).scalar()
        engine.dispose()


def test_the_retention_job_runs_in_the_stack_and_waits_for_retention_time(stack):
    """werkpunt/retention_job.py runs as a child of the stack: on a database where it never ran it runs at
    start (its audit row), then it waits for RETENTION_TIME (its log names the next run)."""
    import time

    from sqlalchemy import create_engine, text

    job = next(p for p in stack.procs if p.args[-1] == "werkpunt.retention_job")
    engine = create_engine(stack.settings.database_url)
    log_file, deadline, runs, log = stack.log_dir / "bewaartermijn.log", time.monotonic() + 60, 0, ""
    try:
        while time.monotonic() < deadline and not (runs and "volgende ronde" in log):
            with engine.connect() as conn:
                runs = conn.execute(text("SELECT COUNT(*) FROM audit_log WHERE action = 'retention.run' "
                                         "AND actor = 'systeem'")).scalar()
            log = log_file.read_text(encoding="utf-8")
            time.sleep(0.5)
    finally:
        engine.dispose()
    assert runs == 1 and job.poll() is None
    assert "volgende ronde" in log and f"({stack.settings.retention_time} in Amsterdam)" in log, log
