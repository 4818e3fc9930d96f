"""The scaled topology of issue 15, started by the launcher code of `make run`: PostgreSQL placement
database and tracker store, Redis lock store, two Rasa replicas (RASA_REPLICAS=2).

One conversation alternating between the replicas keeps its context (the tracker store is shared), and
a web chat conversation survives losing the replica it was sent to: the gateway fails over.
"""

from __future__ import annotations

import os
import signal

import httpx
import pytest

from bot.rasa_client import CHANNEL_PATH, TOKEN_HEADER, RasaClient
from bot.webchat import COOKIE
from tests.conftest import STACK_ACTION_SECRET, STACK_GATEWAY_SECRET, STACK_RASA_TOKEN, new_database_url
from werkpunt.net import free_port, port_free

pytestmark = pytest.mark.rasa
REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/3")


def redis_ok() -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=2):
            return True
    except OSError:
        return False


def consecutive_free_ports() -> int:
    while True:
        port = free_port()
        if port < 65000 and port_free(port + 1):
            return port


@pytest.fixture(scope="module")
def scaled(tmp_path_factory, pg_ok):
    if not (pg_ok and redis_ok()):
        if os.environ.get("CI"):
            pytest.fail("the scaled topology needs PostgreSQL and Redis on this machine")
        pytest.skip("PostgreSQL or Redis not reachable")
    from settings import Settings
    from tests import stack as stack_mod
    from werkpunt.database import prepare

    tmp = tmp_path_factory.mktemp("scaled")
    database_url, drop_db = new_database_url("postgresql", tmp)
    tracker_url, drop_tracker = new_database_url("postgresql", tmp)
    settings = Settings(database_url=database_url, tracker_store_url=tracker_url, port=free_port(),
                        rasa_port=consecutive_free_ports(), action_port=free_port(), rasa_replicas=2,
                        lock_store_url=REDIS, gateway_secret=STACK_GATEWAY_SECRET, rasa_token=STACK_RASA_TOKEN,
                        action_secret=STACK_ACTION_SECRET, telegram_token="", host="127.0.0.1",
                        rasa_host="127.0.0.1", action_host="127.0.0.1")
    prepare(settings.database_url, "small", settings.seed, report=None, demo=True)
    running = stack_mod.start(settings, tmp / "log")
    yield running
    running.stop()
    drop_db()
    drop_tracker()


def chat(url: str, sender: str, text: str) -> list[dict]:
    response = httpx.post(f"{url}{CHANNEL_PATH}", headers={TOKEN_HEADER: STACK_RASA_TOKEN}, timeout=60,
                          json={"sender": sender, "message": text, "metadata": {"channel": "web"}})
    response.raise_for_status()
    return response.json()


def slots(url: str, sender: str) -> dict:
    response = httpx.get(f"{url}/conversations/{sender}/tracker", params={"token": STACK_RASA_TOKEN}, timeout=30)
    response.raise_for_status()
    return response.json()["slots"]


def test_one_conversation_alternating_between_two_replicas_keeps_its_context(scaled):
    first, second = scaled.settings.rasa_base_urls
    assert first != second
    sender = "web-afwisselend-gesprek"
    assert chat(first, sender, "hallo")
    assert chat(second, sender, "ik zoek werk als kok in Zwolle")
    state = slots(first, sender)  # the other replica sees what the second one stored
    assert (state.get("job_title") or "").lower() == "kok" and (state.get("location") or "").lower() == "zwolle"
    more = chat(first, sender, "meer")
    assert more and not any("iets mis" in (m.get("text") or "") for m in more)
    assert (slots(second, sender).get("job_title") or "").lower() == "kok"


def test_a_web_chat_conversation_survives_losing_its_replica(scaled):
    with httpx.Client(base_url=scaled.gateway, timeout=60) as web:
        web.get("/")
        from itsdangerous import URLSafeSerializer

        conversation = URLSafeSerializer(STACK_GATEWAY_SECRET, salt="werkpunt-webchat").loads(web.cookies[COOKIE])
        first = web.post("/api/message", json={"text": "ik zoek werk als kok in Zwolle"}).json()
        assert not first["failed"]
        home = RasaClient(scaled.settings).order(conversation)[0]
        names = [p for p in scaled.procs if p.args[:3] and "rasa_addons.run" in p.args]
        os.killpg(names[home].pid, signal.SIGKILL)  # the replica this conversation was sent to is gone
        names[home].wait(timeout=30)
        after = web.post("/api/message", json={"text": "meer"}).json()
        assert not after["failed"] and after["messages"][-1]["author"] == "bot"
    survivor = scaled.settings.rasa_base_urls[1 - home]
    assert (slots(survivor, conversation).get("job_title") or "").lower() == "kok"
