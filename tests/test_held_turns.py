"""Fast start and replicas at the gateway, over real HTTP with fake Rasa servers (tests/fake_rasa.py):
- before any Rasa replica is up, a web chat message is stored, answered with "De assistent start nog
  op; uw bericht is bewaard." and answered for real, in order, as soon as Rasa is up;
- with two replicas, a conversation sticks to one, and goes to the other when that one is down.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import select

from bot import text as texts
from bot.models import ChatMessage
from bot.rasa_client import RasaClient
from placement.db import session_scope
from tests.fake_rasa import FakeRasa, gateway_settings, listening_socket, running_gateway, serve, tracker_engine
from werkpunt.net import free_port


@pytest.fixture(scope="module")
def tracker(tmp_path_factory):
    return tracker_engine(tmp_path_factory.mktemp("tracker") / "tracker.db")


def user_statuses(engine) -> list[tuple[str, str]]:
    with session_scope(engine) as session:
        rows = session.scalars(select(ChatMessage).where(ChatMessage.author == "user").order_by(ChatMessage.id))
        return [(r.text, r.status) for r in rows]


async def wait_for_text(client: httpx.AsyncClient, wanted: str, timeout: float = 15) -> list[dict]:
    """Long-poll /api/updates like the browser does until a bot message `wanted` arrives."""
    seen: list[dict] = []
    after = 0
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        data = (await client.get("/api/updates", params={"after": after})).json()
        for message in data["messages"]:
            seen.append(message)
            after = max(after, message["id"] or after)
        if any(m["author"] == "bot" and m["text"] == wanted for m in seen):
            return seen
    raise AssertionError(f"no bot message {wanted!r}; saw {[m['text'] for m in seen]}")


async def test_messages_before_rasa_is_up_are_kept_and_answered_in_order_when_it_is(engine, tracker):
    port = free_port()  # nothing listens yet: Rasa is still loading its model
    rasa = FakeRasa()
    async with running_gateway(gateway_settings(f"http://127.0.0.1:{port}"), engine, tracker) as gw:
        async with httpx.AsyncClient(base_url=gw.url, timeout=15) as client:
            await client.get("/")
            first = (await client.post("/api/message", json={"text": "hallo"})).json()
            assert not first["failed"] and first["messages"][-1]["text"] == texts.STARTING
            assert first["messages"][-1]["author"] == "system"
            second = (await client.post("/api/message", json={"text": "ik zoek werk"})).json()
            assert second["messages"][-1]["text"] == texts.STARTING
            assert user_statuses(engine)[-2:] == [("hallo", "pending"), ("ik zoek werk", "pending")]
            async with serve(rasa.app, listening_socket(port)):  # Rasa is ready now
                seen = await wait_for_text(client, "U zei: ik zoek werk")
                bot = [m["text"] for m in seen if m["author"] == "bot"]
                assert bot.index("U zei: hallo") < bot.index("U zei: ik zoek werk")
                assert rasa.messages()[-2:] == ["hallo", "ik zoek werk"]  # in the order they were sent
                assert user_statuses(engine)[-2:] == [("hallo", "ok"), ("ik zoek werk", "ok")]
                after = (await client.post("/api/message", json={"text": "nog iets"})).json()
                assert after["messages"][-1]["text"] == "U zei: nog iets"  # straight through once up


async def test_a_conversation_sticks_to_its_replica_and_fails_over_when_it_is_down(engine, tracker):
    replicas = [FakeRasa(), FakeRasa()]
    socks = [listening_socket(), listening_socket()]
    urls = [f"http://127.0.0.1:{s.getsockname()[1]}" for s in socks]
    settings = gateway_settings(",".join(urls))
    order = RasaClient(settings).order("web-vast-gesprek")
    home, other = order[0], order[1]
    async with serve(replicas[0].app, socks[0]), serve(replicas[1].app, socks[1]):
        client = RasaClient(settings)
        for text in ("een", "twee", "drie"):
            assert (await client.send("web-vast-gesprek", text, "web")).replies
        assert len(replicas[home].requests) == 3 and not replicas[other].requests
        await client.aclose()
    # The home replica is gone now; the other one is back (it keeps no state: the tracker store is shared).
    async with serve(replicas[other].app, listening_socket(int(urls[other].rsplit(":", 1)[1]))):
        client = RasaClient(settings)
        started = asyncio.get_running_loop().time()
        answer = await client.send("web-vast-gesprek", "ben je er nog", "web")
        assert asyncio.get_running_loop().time() - started < 3
        assert answer.replies[-1].text == "U zei: ben je er nog"
        assert replicas[other].messages() == ["ben je er nog"]
        assert client.order("web-vast-gesprek")[0] == other  # the dead one is not tried first for a while
        await client.aclose()
