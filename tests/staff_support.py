"""Test support for the staff workspace (tests/test_staff_*.py, tools/screenshots.py, tools/bench_staff.py).

- `Served`: an ASGI app on a real port (uvicorn in a thread), mounted under /staff as in `werkpunt/app.py`.
- helpers to create staff accounts, insert scripted conversations and sign in over HTTP.
- `demo_stack`: demo data, the fake Rasa (tests/fake_rasa.py) and the real web application.

No test framework imports here, so the documentation tools can use it too.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine, insert, select

from bot.models import ChatMessage
from placement.clock import now
from placement.db import session_scope
from placement.models import Conversation, StaffMember, StaffRegion
from placement.tracker_events import create_events_table, events
from staff.demo import Script
from staff.security import hash_password
from werkpunt.net import free_port

PASSWORD = "werkpunt-test-wachtwoord"



class Served:
    """Serve an ASGI app on 127.0.0.1:port in a background thread (real HTTP, real sockets)."""

    def __init__(self, app, port: int) -> None:
        self.port = port
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                                    lifespan="on", ws="none"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Served:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def mounted(staff_app) -> FastAPI:
    """A parent app that mounts the staff app at /staff, as bot.server does."""
    parent = FastAPI()
    parent.mount("/staff", staff_app)
    return parent


def make_staff(engine: Engine, email: str, role: str, regions: tuple[str, ...] = (), name: str | None = None,
               password: str = PASSWORD) -> int:
    with session_scope(engine) as session:
        member = session.scalar(select(StaffMember).where(StaffMember.email == email))
        if member is None:
            member = StaffMember(name=name or email.split("@")[0].replace(".", " ").title(), email=email, role=role)
            member.regions = [StaffRegion(region_code=code) for code in regions]
            session.add(member)
        member.password_hash = hash_password(password)
        session.flush()
        return member.id


def login(base: str, email: str, password: str = PASSWORD) -> tuple[httpx.Client, httpx.Response]:
    """Sign in over HTTP like a browser (login form token + cookie); returns the client and the answer."""
    client = httpx.Client(base_url=base, follow_redirects=False, timeout=20)
    page = client.get("/staff/login")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
    answer = client.post("/staff/login", data={"email": email, "password": password, "login_token": token})
    return client, answer


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def insert_script(engine: Engine, tracker_engine: Engine, script: Script, role: str | None = None,
                  region: str | None = None, handoff_state: str = "none", gateway_only: list[dict] = ()) -> str:
    """Store a scripted conversation: events in the tracker store, rows in conversation/chat_message.

    `role` and `region` are set here explicitly because a scripted conversation skips the dialogue: in
    production the gateway creates the row and the actions write role and region as the user names them.
    """
    create_events_table(tracker_engine)
    with engine.begin() as conn:
        conn.execute(insert(Conversation), [dict(
            id=script.sender, channel=script.channel, role=role, region_code=region, handoff_state=handoff_state,
            created_at=script.chat[0]["created_at"] if script.chat else script.at, last_message_at=script.at)])
        rows = [{"conversation_id": script.sender, "buttons": None, **c} for c in script.chat] + \
            [{"conversation_id": script.sender, "buttons": None, **c} for c in gateway_only]
        if rows:
            conn.execute(insert(ChatMessage), rows)
    if script.events:
        with tracker_engine.begin() as conn:
            conn.execute(insert(events), script.events)
    return script.sender


def request_handoff(engine: Engine, region: str, role: str = "werkzoekende") -> str:
    """For the newest conversation, what `action_request_human` does (the fake Rasa runs no actions):
    the handoff is requested, with the role and region the real dialogue would have written."""
    with session_scope(engine) as session:
        conversation = session.scalars(select(Conversation).order_by(Conversation.last_message_at.desc())).first()
        conversation.handoff_state, conversation.role, conversation.region_code = "requested", role, region
        return conversation.id


def new_script(at: dt.datetime | None = None, channel: str = "web") -> Script:
    sender = ("tg-" + secrets.token_hex(16)) if channel == "telegram" else secrets.token_urlsafe(24)
    return Script(sender, at or now() - dt.timedelta(minutes=30), channel)


class RecordingDeliver:
    """Stands in for bot.outbox.deliver where no gateway runs: stores the staff message like it does."""

    def __init__(self, engine: Engine, fail: bool = False, telegram_refuses: bool | None = None) -> None:
        """`fail`: the channel is down; `telegram_refuses`: stored, then Telegram refuses like bot.outbox
        reports it (True = queued for retry, False = refused for good)."""
        self.engine, self.fail, self.telegram_refuses = engine, fail, telegram_refuses
        self.calls: list[tuple[str, str, int]] = []

    async def __call__(self, conversation_id: str, text: str, staff_id: int) -> None:
        if self.fail:
            raise RuntimeError("channel down")
        self.calls.append((conversation_id, text, staff_id))
        with self.engine.begin() as conn:
            conn.execute(insert(ChatMessage), [dict(conversation_id=conversation_id, author="staff", text=text,
                                                    staff_id=staff_id)])
        if self.telegram_refuses is not None:
            from bot.outbox import DeliveryError

            raise DeliveryError("Telegram refused", retrying=self.telegram_refuses)


@contextmanager
def workspace(engine: Engine, tracker_engine: Engine, port: int, **overrides) -> Iterator[tuple[Served, FastAPI]]:
    """The staff app on a real port under /staff; overrides go to create_app (deliver, rasa_url, ...)."""
    from staff.app import create_app

    overrides.setdefault("rasa_url", "http://127.0.0.1:9")  # nothing listens there: "Rasa is down"
    overrides.setdefault("deliver", RecordingDeliver(engine))
    app = create_app(engine=engine, tracker_engine=tracker_engine, **overrides)
    with Served(mounted(app), port) as served:
        yield served, app


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
XSS = "<script>alert('xss')</script> Ik zoek werk als schilder in Gouda"


@contextmanager
def demo_stack(tmp_dir, conversations: int = 150) -> Iterator[dict]:
    """Demo data + FakeRasa + the real gateway (web chat) with the staff app under /staff, on free ports.

    Yields the URLs and engines. Staff accounts: sanne@werkpunt.example (consulent AM20) and
    beheer@werkpunt.example (admin), both with PASSWORD.
    """
    from placement.db import make_engine
    from settings import Settings
    from staff import demo
    from tests.fake_rasa import FakeRasa
    from werkpunt.app import create_app
    from werkpunt.database import prepare

    db_url, tracker_url = f"sqlite:///{tmp_dir}/werkpunt.db", f"sqlite:///{tmp_dir}/tracker.db"
    engine = prepare(db_url, "small", 20261127, report=None)
    tracker_engine = make_engine(tracker_url)
    make_staff(engine, "sanne@werkpunt.example", "consulent", ("AM20",), name="Sanne de Vries")
    make_staff(engine, "beheer@werkpunt.example", "admin", name="Beheerder Werkpunt")
    demo.generate(engine, tracker_engine, conversations, seed=11, days=14, regions=("AM20", "AM06", "AM02"))
    script = new_script(now() - dt.timedelta(minutes=5))
    script.session().user(XSS, "ask_training", 0.38, [("job_title", "schilder")], second=("search_jobs", 0.31))
    script.bot("utter_ask_training", "Wilt u weten welke opleidingen er zijn?").listen()
    insert_script(engine, tracker_engine, script, "werkzoekende", "AM20")
    rasa = FakeRasa(tracker_engine=tracker_engine)
    with Served(rasa.app, free_port()) as rasa_server:
        settings = Settings(database_url=db_url, tracker_store_url=tracker_url, rasa_url=rasa_server.url,
                            gateway_secret="test-gateway-secret-" + "x" * 20, telegram_token="")
        app = create_app(settings, engine=engine, tracker_engine=tracker_engine, rasa_url=rasa_server.url)
        with Served(app, free_port()) as served:
            yield {"base": served.url, "engine": engine, "tracker": tracker_engine, "rasa": rasa}
    tracker_engine.dispose()
    engine.dispose()
