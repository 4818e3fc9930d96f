"""The retention command removes exactly what is older than the period, and nothing else."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from bot.models import ChatMessage
from placement import clock
from placement.db import make_engine
from placement.models import Conversation
from staff import retention, summary, tracker
from staff.models import AuditLog, ConversationSummary, ConversationTag, NluCorrection, StaffSession
from tests.conftest import new_database_url
from tests.staff_support import insert_script, make_staff, new_script

ROOT = Path(__file__).resolve().parent.parent
MARGIN = dt.timedelta(minutes=10)  # the command runs a little later than the fixture: its cutoff moves
NOW = CUTOFF = dt.datetime.min  # set by the env fixture, per backend


def conversation(engine, tracker_engine, last: dt.datetime, first: dt.datetime | None = None) -> str:
    """A conversation whose first turn is at `first` (default: shortly before `last`) and last at `last`."""
    start = first or last - dt.timedelta(minutes=2)
    script = new_script(start).session().user("Hallo", "greet", 0.99).bot("utter_greet", "Hoi")
    if first:
        script.at = last - dt.timedelta(minutes=1)
        script.user("Nog een vraag", "ask_wage_subsidy", 0.8).bot("utter_wage_subsidy", "Uitleg")
    script.at = max(script.at, last)
    return insert_script(engine, tracker_engine, script, "werkzoekende", "AM20")


@pytest.fixture(scope="module")
def env(engine, tmp_path_factory):
    global NOW, CUTOFF
    NOW = clock.now()
    CUTOFF = NOW - dt.timedelta(days=90)
    url, drop = new_database_url(engine.dialect.name, tmp_path_factory.mktemp("tracker"))
    tracker_engine = make_engine(url)
    staff_id = make_staff(engine, "r@test.example", "admin")
    ids = {
        "old": conversation(engine, tracker_engine, CUTOFF - dt.timedelta(minutes=1)),  # just over the edge
        "fresh": conversation(engine, tracker_engine, CUTOFF + MARGIN + dt.timedelta(minutes=3)),
        "long": conversation(engine, tracker_engine, NOW - dt.timedelta(days=5), first=NOW - dt.timedelta(days=120)),
    }
    orphan = new_script(CUTOFF - dt.timedelta(days=10)).session().user("Weg", "greet", 0.9)
    recent_orphan = new_script(NOW - dt.timedelta(days=10)).session().user("Blijft", "greet", 0.9)
    with tracker_engine.begin() as conn:
        conn.execute(insert(tracker.events), orphan.events + recent_orphan.events)
    with Session(engine) as s:
        summary.refresh(s, tracker_engine)
        for key in ("old", "long", "fresh"):
            s.add(ConversationTag(conversation_id=ids[key], tag="bewaard"))
        s.add(NluCorrection(conversation_id=ids["long"], event_id=1, text="Hallo", intent="greet",
                            message_at=NOW - dt.timedelta(days=120)))
        s.add(NluCorrection(conversation_id=ids["fresh"], event_id=2, text="Hallo", intent="greet",
                            message_at=CUTOFF + MARGIN + dt.timedelta(minutes=2)))
        s.add(StaffSession(id="a" * 64, staff_id=staff_id, csrf_token="x", created_at=NOW - dt.timedelta(days=2),
                           last_seen_at=NOW - dt.timedelta(days=2)))
        s.commit()
    yield {"engine": engine, "tracker": tracker_engine, "url": url, "ids": ids, "db_url": engine.url}
    tracker_engine.dispose()
    drop()


def counts(env) -> dict:
    e, t = env["engine"], env["tracker"]
    with Session(e) as s, t.connect() as conn:
        def n(model, *where):
            return s.scalar(select(func.count()).select_from(model).where(*where))
        return {
            "conversations": n(Conversation), "messages": n(ChatMessage), "corrections": n(NluCorrection),
            "events": conn.scalar(select(func.count()).select_from(tracker.events)),
            "old_events": conn.scalar(select(func.count()).select_from(tracker.events)
                                      .where(tracker.events.c.timestamp < tracker.to_timestamp(CUTOFF))),
        }


def test_dry_run_counts_and_keeps_everything(env):
    before = counts(env)
    result = retention.run(env["engine"], env["tracker"], 90, now=NOW, dry_run=True)
    assert result.conversations == 1 and result.corrections == 1
    assert result.events >= before["old_events"]
    assert counts(env) == before
    env["dry_run"], env["before"] = result, before


def test_retention_command_removes_exactly_what_is_older(env):
    environ = dict(os.environ, DATABASE_URL=env["db_url"].render_as_string(hide_password=False),
                   TRACKER_STORE_URL=env["url"], RETENTION_DAYS="90")
    out = subprocess.run([sys.executable, "-m", "staff.cli", "retention"], cwd=ROOT, env=environ,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "1 gesprekken" in out.stdout and "1 correcties" in out.stdout and "1 verlopen sessies" in out.stdout
    after, before, dry = counts(env), env["before"], env["dry_run"]  # the proefrun predicted it exactly
    assert before["events"] - after["events"] == dry.events and before["messages"] - after["messages"] == dry.messages
    ids = env["ids"]
    with Session(env["engine"]) as s, env["tracker"].connect() as conn:
        assert s.get(Conversation, ids["old"]) is None
        assert s.get(Conversation, ids["fresh"]) is not None and s.get(Conversation, ids["long"]) is not None
        for model in (ChatMessage, ConversationSummary, ConversationTag, NluCorrection):
            assert s.scalar(select(func.count()).select_from(model).where(model.conversation_id == ids["old"])) == 0
        # nothing older than the cutoff is left anywhere
        assert s.scalar(select(func.count()).select_from(ChatMessage).where(ChatMessage.created_at < CUTOFF)) == 0
        assert conn.scalar(select(func.count()).select_from(tracker.events).where(
            tracker.events.c.timestamp < tracker.to_timestamp(CUTOFF))) == 0
        assert conn.scalar(select(func.count()).select_from(tracker.events).where(
            tracker.events.c.sender_id == ids["old"])) == 0
        # and everything newer is still there
        fresh_messages = s.scalar(select(func.count()).select_from(ChatMessage)
                                  .where(ChatMessage.conversation_id == ids["fresh"]))
        assert fresh_messages == 2
        long_texts = list(s.scalars(select(ChatMessage.text).where(ChatMessage.conversation_id == ids["long"])))
        assert long_texts == ["Nog een vraag", "Uitleg"]
        texts = [json.loads(d).get("text") for d in conn.scalars(select(tracker.events.c.data).where(
            tracker.events.c.type_name == "user"))]
        assert sorted(texts) == ["Blijft", "Hallo", "Nog een vraag"]
        assert s.scalar(select(NluCorrection.conversation_id)) == ids["fresh"]
        # the long conversation's summary was rebuilt from what is left
        long_summary = s.get(ConversationSummary, ids["long"])
        assert long_summary.user_messages == 1 and long_summary.min_confidence == pytest.approx(0.8)
        assert s.scalar(select(func.count()).select_from(StaffSession)) == 0
        run = s.scalar(select(AuditLog).where(AuditLog.action == "retention.run"))
        assert run.detail.startswith("gesprekken 1, ") and "(90/180/30/60/90 dagen)" in run.detail
        assert "Hallo" not in run.detail
