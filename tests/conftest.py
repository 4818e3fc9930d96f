"""Shared fixtures: fresh migrated databases on SQLite and PostgreSQL, free ports.

Every database test runs on both engines. PostgreSQL tests skip only outside CI when no server
answers; with CI=true a missing PostgreSQL is a failure, not a skip.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from placement.db import make_engine, session_scope
from placement.reference import load_reference
from placement.seed import seed_demo
from werkpunt.database import migrate
from werkpunt.net import free_port

PG_SERVER = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = ["sqlite", "postgresql"]



def _pg_admin() -> Engine:
    return create_engine(PG_SERVER, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})


def _pg_available() -> bool:
    try:
        with _pg_admin().connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def pg_ok() -> bool:
    ok = _pg_available()
    if not ok and os.environ.get("CI"):
        pytest.fail(f"PostgreSQL at {PG_SERVER} is not reachable, and CI must run the PostgreSQL tests")
    return ok


def new_database_url(backend: str, tmp_dir) -> tuple[str, callable]:
    """A URL of a brand-new empty database, and a function that drops it."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_dir}/wp-{uuid.uuid4().hex[:8]}.db", lambda: None
    name = f"wp_test_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


@pytest.fixture(scope="module", params=BACKENDS)
def db_url(request, tmp_path_factory, pg_ok) -> Iterator[str]:
    """An empty database (no tables) per test module and backend."""
    if request.param == "postgresql" and not pg_ok:
        pytest.skip("PostgreSQL not reachable (set TEST_POSTGRES_URL)")
    url, drop = new_database_url(request.param, tmp_path_factory.mktemp("db"))
    yield url
    drop()


@pytest.fixture(scope="module")
def engine(db_url) -> Iterator[Engine]:
    """Migrated to head, reference data (regions, gemeenten) loaded, no demo data."""
    migrate(db_url)
    eng = make_engine(db_url)
    with session_scope(eng) as session:
        load_reference(session)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def demo_engine(engine) -> Engine:
    """`engine` plus the small deterministic demo data set."""
    with session_scope(engine) as session:
        seed_demo(session, size="small", seed=20261127, report=None)
    return engine


STACK_GATEWAY_SECRET = "stack-gateway-secret-" + "g" * 24
STACK_RASA_TOKEN = "stack-rasa-token-" + "r" * 24
STACK_ACTION_SECRET = "stack-action-secret-" + "a" * 24


@pytest.fixture(scope="session")
def fake_bot_api():
    """The fake Telegram Bot API (tests/fake_telegram.py) over HTTP in a background thread, for the stack.

    Yields (fake, loop): coroutines of the fake run in its own event loop (asyncio.run_coroutine_threadsafe).
    """
    from tests.fake_telegram import FakeTelegram
    from tests.staff_support import Served

    fake = FakeTelegram()
    with Served(fake.app, free_port()) as served:
        fake.url = served.url
        loop = served.server.servers[0].get_loop()
        yield fake, loop
        asyncio.run_coroutine_threadsafe(fake.close(), loop).result(10)


@pytest.fixture(scope="session")
def stack(tmp_path_factory, pg_ok, fake_bot_api):
    """The real stack, started by the launcher code of `make run`, with production-like settings: its own
    PostgreSQL databases (SQLite when no PostgreSQL answers outside CI), non-empty secrets and a Telegram
    token against the fake Bot API. One per test session; demo data in its placement database."""
    from settings import Settings
    from tests import stack as stack_mod
    from tests.fake_telegram import TOKEN
    from werkpunt.database import prepare

    tmp = tmp_path_factory.mktemp("stack")
    backend = "postgresql" if pg_ok else "sqlite"
    database_url, drop_db = new_database_url(backend, tmp)
    tracker_url, drop_tracker = new_database_url(backend, tmp)
    fake, _loop = fake_bot_api
    settings = Settings(database_url=database_url, tracker_store_url=tracker_url, port=free_port(),
                        rasa_port=free_port(), action_port=free_port(), demo_size="small",
                        gateway_secret=STACK_GATEWAY_SECRET, rasa_token=STACK_RASA_TOKEN,
                        action_secret=STACK_ACTION_SECRET, telegram_token=TOKEN,
                        telegram_api_base_url=fake.base_url, telegram_webhook_url="", telegram_secret="",
                        staff_cookie_secure=True, host="127.0.0.1", rasa_host="127.0.0.1", action_host="127.0.0.1",
                        # issue 16: alert rounds every second, at any hour (quiet hours: test_alerts_telegram.py)
                        alert_interval_s=1.0, alert_quiet_hours="0-0")
    prepare(settings.database_url, "small", settings.seed, report=None, demo=True)
    running = stack_mod.start(settings, tmp / "log")
    yield running
    running.stop()
    drop_db()
    drop_tracker()
