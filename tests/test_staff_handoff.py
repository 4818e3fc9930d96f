"""Live handoff over real HTTP: queue, take (once), reply, hand back; Rasa told via pause/resume events."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from sqlalchemy import select

from bot.models import ChatMessage
from placement.db import make_engine, session_scope
from placement.models import Conversation, Lead
from staff.handoff import parse_office_hours, within_office_hours
from staff.models import AuditLog, Handoff
from staff.summary import conversation_ref
from tests.conftest import new_database_url
from tests.fake_rasa import FakeRasa
from tests.staff_support import (
    RecordingDeliver,
    Served,
    csrf_of,
    insert_script,
    login,
    make_staff,
    new_script,
    workspace,
)
from werkpunt.net import free_port


@pytest.fixture(scope="module")
def env(engine, tmp_path_factory):
    url, drop = new_database_url(engine.dialect.name, tmp_path_factory.mktemp("tracker"))
    tracker_engine = make_engine(url)
    make_staff(engine, "sanne@test.example", "consulent", ("AM20",), name="Sanne de Vries")
    make_staff(engine, "kees@test.example", "jobcoach", ("AM20",), name="Kees Bakker")
    rasa = FakeRasa(tracker_engine=tracker_engine)
    deliver = RecordingDeliver(engine)
    with Served(rasa.app, free_port()) as rasa_server, \
            workspace(engine, tracker_engine, free_port(), deliver=deliver, rasa_url=rasa_server.url) as (served, _):
        yield {"engine": engine, "tracker": tracker_engine, "base": served.url, "rasa": rasa, "deliver": deliver}
    tracker_engine.dispose()
    drop()


def waiting(env, text: str = "Ik wil een medewerker spreken") -> tuple[str, str]:
    script = new_script().session().user(text, "request_human", 0.97)
    script.bot("action_request_human", "Ik zoek een collega voor u.").listen()
    cid = insert_script(env["engine"], env["tracker"], script, "werkzoekende", "AM20", handoff_state="requested")
    with session_scope(env["engine"]) as s:  # what action_request_human also leaves behind
        s.add(Lead(kind="handoff", topic="Wil een medewerker spreken", region_code="AM20", sender_id=cid))
    return cid, conversation_ref(cid)


def handoff_lead(env, cid: str) -> Lead:
    with session_scope(env["engine"]) as s:
        return s.scalar(select(Lead).where(Lead.sender_id == cid))


def state(env, cid: str) -> Conversation:
    with session_scope(env["engine"]) as s:
        return s.get(Conversation, cid)


def test_take_reply_and_hand_back(env):
    cid, ref = waiting(env)
    sanne, _ = login(env["base"], "sanne@test.example")
    queue = sanne.get("/staff/handoff")
    assert ref in queue.text and "Wachtrij" in queue.text
    taken = sanne.post(f"/staff/handoff/{ref}/take", data={"csrf_token": csrf_of(queue.text)})
    assert taken.status_code == 303 and taken.headers["location"] == f"/staff/handoff/{ref}?melding=overgenomen"
    conv = state(env, cid)
    assert conv.handoff_state == "active" and conv.handoff_staff_id is not None
    assert (cid, "pause") in env["rasa"].tracker_events
    lead = handoff_lead(env, cid)
    assert lead.status == "opgepakt" and lead.assigned_staff_id == conv.handoff_staff_id
    assert env["deliver"].calls[-1][0] == cid and "Sanne" in env["deliver"].calls[-1][1]  # greeting

    live = sanne.get(f"/staff/handoff/{ref}")
    assert "Ik wil een medewerker spreken" in live.text and "Uw antwoord" in live.text
    token = csrf_of(live.text)
    sent = sanne.post(f"/staff/handoff/{ref}/reply", data={"csrf_token": token, "text": "Hoi! <b>Wat</b> kan ik doen?"})
    assert sent.headers["location"].endswith("melding=verstuurd")
    assert env["deliver"].calls[-1] == (cid, "Hoi! <b>Wat</b> kan ik doen?", conv.handoff_staff_id)

    with env["engine"].begin() as conn:  # the user answers; the gateway stores it and keeps Rasa out of it
        conn.execute(ChatMessage.__table__.insert(), [dict(conversation_id=cid, author="user",
                                                           text="Ik zoek werk in de zorg", status="ok")])
    fragment = sanne.get(f"/staff/handoff/{ref}/messages", headers={"X-Staff-Poll": "1"}).text
    assert "Ik zoek werk in de zorg" in fragment and "niet via de assistent" in fragment
    assert "Hoi! &lt;b&gt;Wat&lt;/b&gt; kan ik doen?" in fragment and "Medewerker Sanne de Vries" in fragment

    released = sanne.post(f"/staff/handoff/{ref}/release", data={"csrf_token": token})
    assert released.headers["location"] == f"/staff/conversations/{ref}?melding=teruggegeven"
    assert state(env, cid).handoff_state == "none" and state(env, cid).handoff_staff_id is None
    assert env["rasa"].tracker_events[-1] == (cid, "resume")
    assert handoff_lead(env, cid).status == "afgerond"
    with session_scope(env["engine"]) as s:
        log = s.scalar(select(Handoff).where(Handoff.conversation_id == cid))
        assert log.taken_at >= log.requested_at and log.released_at is not None
        # nothing the user would see is written for the handoff itself (the gateway shows "system" rows)
        assert list(s.scalars(select(ChatMessage.text).where(ChatMessage.conversation_id == cid,
                                                             ChatMessage.author == "system"))) == []
        actions = list(s.scalars(select(AuditLog.action).where(AuditLog.target_id == ref).order_by(AuditLog.id)))
        assert actions[-4:] == ["handoff.take", "transcript.view", "handoff.reply", "handoff.release"]
        assert all("zorg" not in (d or "") for d in s.scalars(select(AuditLog.detail)))
    transcript = sanne.get(f"/staff/conversations/{ref}").text  # the pause shows in the transcript
    assert "Assistent gepauzeerd" in transcript and "Assistent hervat" in transcript
    assert "Gesprek overgenomen door Sanne de Vries." in transcript  # from the handoff log
    assert "Gesprek teruggegeven aan de assistent door Sanne de Vries." in transcript


def test_only_one_colleague_gets_it(env):
    cid, ref = waiting(env)
    clients = [login(env["base"], email)[0] for email in ("sanne@test.example", "kees@test.example")]
    tokens = [csrf_of(c.get("/staff/handoff").text) for c in clients]
    results = [None, None]

    def take(i):
        results[i] = clients[i].post(f"/staff/handoff/{ref}/take", data={"csrf_token": tokens[i]})

    threads = [threading.Thread(target=take, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    outcomes = sorted(r.headers["location"].split("melding=")[1] for r in results)
    assert outcomes == ["al-genomen", "overgenomen"]
    with session_scope(env["engine"]) as s:
        assert len(list(s.scalars(select(Handoff).where(Handoff.conversation_id == cid)))) == 1


def test_only_the_taker_replies(env):
    cid, ref = waiting(env)
    sanne, _ = login(env["base"], "sanne@test.example")
    sanne.post(f"/staff/handoff/{ref}/take", data={"csrf_token": csrf_of(sanne.get("/staff/handoff").text)})
    kees, _ = login(env["base"], "kees@test.example")
    token = csrf_of(kees.get(f"/staff/handoff/{ref}").text)
    assert kees.post(f"/staff/handoff/{ref}/reply", data={"csrf_token": token, "text": "Ik ook"}).status_code == 403
    assert kees.post(f"/staff/handoff/{ref}/release", data={"csrf_token": token}).status_code == 403
    with session_scope(env["engine"]) as s:
        row = s.scalar(select(AuditLog).where(AuditLog.action == "access.denied").order_by(AuditLog.id.desc()))
        assert row.actor == "kees@test.example" and row.detail == "gesprek is niet door u overgenomen"
    assert state(env, cid).handoff_state == "active"


def test_failed_delivery_is_reported_and_rasa_down_is_tolerated(env, engine):
    cid, ref = waiting(env)
    make_staff(engine, "tom@test.example", "consulent", ("AM20",))
    with workspace(engine, env["tracker"], free_port(), deliver=RecordingDeliver(engine, fail=True)) as (served, _):
        tom, _ = login(served.url, "tom@test.example")
        taken = tom.post(f"/staff/handoff/{ref}/take", data={"csrf_token": csrf_of(tom.get("/staff/handoff").text)})
        assert taken.headers["location"].endswith("melding=rasa-onbereikbaar")  # nothing listens on the Rasa URL
        assert state(env, cid).handoff_state == "active"
        page = tom.get(taken.headers["location"])
        assert "niet bereikbaar" in page.text
        sent = tom.post(f"/staff/handoff/{ref}/reply", data={"csrf_token": csrf_of(page.text), "text": "Hallo"})
        assert sent.headers["location"].endswith("melding=niet-verstuurd")
        assert "kon niet worden bezorgd" in tom.get(sent.headers["location"]).text


@pytest.mark.parametrize("retrying, notice, says", [(True, "wordt-herhaald", "stuur het niet nog een keer"),
                                                    (False, "niet-bezorgd-telegram", "Opnieuw sturen helpt niet")])
def test_reply_that_telegram_refuses_says_what_happens_next(env, engine, retrying, notice, says):
    cid, ref = waiting(env)
    make_staff(engine, "ria@test.example", "consulent", ("AM20",))
    deliver = RecordingDeliver(engine, telegram_refuses=retrying)
    with workspace(engine, env["tracker"], free_port(), deliver=deliver) as (served, _):
        ria, _ = login(served.url, "ria@test.example")
        taken = ria.post(f"/staff/handoff/{ref}/take", data={"csrf_token": csrf_of(ria.get("/staff/handoff").text)})
        page = ria.get(taken.headers["location"])
        sent = ria.post(f"/staff/handoff/{ref}/reply", data={"csrf_token": csrf_of(page.text), "text": "Hallo"})
        assert sent.headers["location"].endswith(f"melding={notice}")
        assert says in ria.get(sent.headers["location"]).text
    with session_scope(engine) as s:
        row = s.scalar(select(AuditLog).where(AuditLog.action == "handoff.reply").order_by(AuditLog.id.desc()))
        assert row.actor == "ria@test.example" and row.detail.startswith("Telegram:")


def test_dashboard_shows_handoffs_and_waiting_time(env):
    sanne, _ = login(env["base"], "sanne@test.example")
    page = sanne.get("/staff/")
    assert page.status_code == 200 and "<svg" in page.text and "Overnames per dag" in page.text
    # requests were made ~30 minutes before they were taken (see new_script)
    assert re.search(r"<strong>(2\d|3\d) min</strong><span>mediane wachttijd", page.text)


def test_office_hours():
    hours = parse_office_hours("ma-vr 08:30-17:00; za 10:00-12:00")
    assert len(hours[0]) == 1 and 6 not in hours
    monday_9 = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)  # 09:00 in Amsterdam
    sunday = dt.datetime(2026, 11, 29, 11, 0, tzinfo=dt.UTC)
    saturday_late = dt.datetime(2026, 11, 28, 12, 30, tzinfo=dt.UTC)  # 13:30 Amsterdam
    assert within_office_hours("ma-vr 08:30-17:00", monday_9)
    assert not within_office_hours("ma-vr 08:30-17:00", sunday)
    assert not within_office_hours("ma-vr 08:30-17:00; za 10:00-12:00", saturday_late)
    with pytest.raises(ValueError):
        parse_office_hours("maandag 9 tot 5")
