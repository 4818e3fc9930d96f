"""The small versions of `make reliability`: 2,000 generated inputs against the gateway, and the log redaction
Rasa's process uses (rasa_addons/log_redaction.py), each in processes of their own."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from settings import ROOT
from tests import action_server
from tests.conftest import PG_SERVER
from tools.reliability_fuzz import WEBHOOK_SECRET, gateway_campaign
from tools.tcp_proxy import TcpProxy
from werkpunt.database import migrate

SCRIPT = """
import logging, sys
from rasa_addons.log_redaction import install
install()
logging.basicConfig(stream=sys.stdout, format="%(levelname)s %(message)s")
try:
    raise ValueError("Mijn-geheim-1")
except ValueError:
    logging.getLogger("rasa.core.processor").exception("action failed; tracker {'text': 'Mijn-geheim-2'}")
logging.getLogger("rasa").error("first line\\nMijn-geheim-3 on the second line")
logging.getLogger("rasa").warning("x" * 1000)
"""


def redacted(level: str) -> str:
    env = dict(os.environ, LOG_LEVEL=level)
    return subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60, check=True).stdout


def test_rasa_log_records_carry_no_user_text_at_the_default_level():
    out = redacted("INFO")
    assert "Mijn-geheim" not in out and "ValueError" in out and "details omitted" in out
    assert max(len(line) for line in out.splitlines()) < 400


def test_at_debug_nothing_is_redacted():
    assert "Mijn-geheim-1" in redacted("DEBUG")


def test_gateway_fuzz_small_campaign_has_no_server_errors_and_no_crashes(tmp_path):
    line = gateway_campaign(2000, tmp_path / "fuzz.log")
    assert line["inputs"] == 2000
    assert (line["server_errors"], line["crashes"]) == (0, 0), line["examples"]


def test_fault_scenarios_small_all_survive_with_nothing_lost():
    from tools import reliability as r

    h = r.Harness()
    try:
        lines = [r.rasa_outage(h, "rasa_killed", lambda: h.kill("rasa"), lambda: h.start("rasa"), 2),
                 r.rasa_outage(h, "rasa_slower_than_timeout", h.flag.touch, h.flag.unlink, 2),
                 r.gateway_restart(h), *r.telegram_lines(h), r.telegram_refusals(h)]
        for date in (7.094018278078124e16, 1.36472781534498e267):  # found by make reliability: a 500 before
            update = {"update_id": 5, "message": {"message_id": 1, "date": date, "text": "x", "chat": {"id": 5,
                      "type": "private"}, "from": {"id": 5, "is_bot": False, "first_name": "F"}}}
            response = httpx.post(f"{h.base}/telegram/webhook", json=update,
                                  headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET})
            assert response.status_code == 400, response.text
    finally:
        h.close()
    assert len(lines) == 6
    for result in lines:
        assert result["survived"] and result["lost"] == 0 and result["sent"] > 0, result


def test_tcp_proxy_cuts_postgres_off_and_lets_it_back(pg_ok):
    if not pg_ok:
        pytest.skip("PostgreSQL not reachable")
    server = make_url(PG_SERVER)
    proxy = TcpProxy(server.host, server.port or 5432).start()
    engine = create_engine(server.set(port=proxy.port), pool_pre_ping=True, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT 1")) == 1
            proxy.stop()  # the open connection is cut as well, not only new ones refused
            with pytest.raises(OperationalError):
                conn.execute(text("SELECT 2"))
        with pytest.raises(OperationalError):
            engine.connect()
        proxy.start()
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT 3")) == 3
    finally:
        engine.dispose()
        proxy.close()


def _validate(base: str, hours_text: str, hours_entity: str, before: str | None = None) -> dict:
    """action_validate_slot_mappings right after Rasa filled `hours` from an entity, through the webhook."""
    latest = {"text": hours_text, "intent": {"name": "inform", "confidence": 0.9}, "metadata": {"channel": "web"},
              "entities": [{"entity": "hours", "value": hours_entity, "start": 0, "end": len(hours_entity)}]}
    events = ([{"event": "slot", "name": "hours", "value": before}] if before else []) + [
        {"event": "user", "text": hours_text, "parse_data": latest},
        {"event": "slot", "name": "hours", "value": hours_entity}]
    slots = {"hours": hours_entity, "user_role": None, "location": None, "home_place": None, "requested_slot": None}
    reply = action_server.webhook(base, "action_validate_slot_mappings", "t-" + uuid.uuid4().hex[:12], slots,
                                  latest, events)
    return {e["name"]: e["value"] for e in reply["events"] if e["event"] == "slot"}


def test_a_phone_number_tagged_as_hours_never_stays_in_the_hours_slot(tmp_path):
    database = f"sqlite:///{tmp_path}/actions.db"
    migrate(database)
    proc, base = action_server.start(database, tmp_path / "actions.log")
    try:
        assert _validate(base, "mijn nummer is 0612345678", "0612345678") == {"hours": None}
        assert _validate(base, "bel 06-1234 5678", "06-1234 5678", before="24") == {"hours": "24"}  # kept
        assert _validate(base, "90 uur", "90") == {"hours": None}  # hours are 1-40
        assert _validate(base, "24 uur", "24 uur") == {"hours": "24"}
        assert _validate(base, "32", "32") == {}  # a good value is left alone
    finally:
        action_server.stop(proc)
