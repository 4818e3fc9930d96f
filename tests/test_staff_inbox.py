"""The conversations inbox: every filter, pagination, incremental summaries, deletion requests."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from placement.db import make_engine, session_scope
from placement.models import Conversation
from staff import summary, tracker
from staff.demo import Script
from staff.models import ConversationIntent, ConversationSummary, ConversationTag
from staff.summary import conversation_ref
from staff.templating import AMSTERDAM
from tests.conftest import new_database_url
from tests.staff_support import csrf_of, insert_script, login, make_staff, new_script, workspace
from werkpunt.net import free_port

# Yesterday 12:00 in Amsterdam: whole days back from there never cross midnight, whatever the clock says.
_NOON = dt.datetime.combine(dt.date.today() - dt.timedelta(days=1), dt.time(12), tzinfo=AMSTERDAM)
NOW = _NOON.astimezone(dt.UTC).replace(tzinfo=None)


def at(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


@pytest.fixture(scope="module")
def env(engine, tmp_path_factory):
    url, drop = new_database_url(engine.dialect.name, tmp_path_factory.mktemp("tracker"))
    tracker_engine = make_engine(url)
    make_staff(engine, "consulent@test.example", "consulent", ("AM20",))
    ids = {}
    s = new_script(at(2)).session().user("Ik zoek werk als schilder in Gouda", "search_jobs", 0.9,
                                          [("job_title", "schilder"), ("location", "Gouda")])
    ids["web"] = insert_script(engine, tracker_engine, s.bot("action_search_jobs", "Vacatures").listen(),
                               "werkzoekende", "AM20")
    s = new_script(at(10), "telegram").session().user("Wat is loonkostensubsidie?", "ask_wage_subsidy", 0.5)
    ids["tg"] = insert_script(engine, tracker_engine, s.bot("utter_wage_subsidy", "Uitleg").listen(),
                              "werkgever", "AM20")
    s = new_script(at(1)).session().user("asdf qwerty", "nlu_fallback", 0.45, second=("out_of_scope", 0.3))
    ids["fallback"] = insert_script(engine, tracker_engine, s.bot("action_default_fallback", "Sorry").listen(),
                                    None, "AM20")
    s = new_script(at(0.1)).session().user("Ik wil een medewerker", "request_human", 0.97)
    ids["handoff"] = insert_script(engine, tracker_engine, s.bot("action_request_human", "Ik zoek iemand").listen(),
                                   "werkzoekende", "AM20", handoff_state="requested")
    s = new_script(at(3)).session().user("/identify_as_employer", "identify_as_employer", 1.0)
    ids["payload"] = insert_script(engine, tracker_engine, s.bot("utter_employer_menu", "Fijn").listen(),
                                   "werkgever", "AM20")
    for n in range(8):  # older filler for pagination
        s = new_script(at(20 + n)).session().user("Hallo", "greet", 0.99).bot("utter_greet", "Hoi").listen()
        insert_script(engine, tracker_engine, s, None, "AM20")
    with workspace(engine, tracker_engine, free_port(), page_size=5) as (served, _app):
        client, _ = login(served.url, "consulent@test.example")
        yield {"engine": engine, "tracker": tracker_engine, "client": client,
               "refs": {k: conversation_ref(v) for k, v in ids.items()}, "ids": ids}
    tracker_engine.dispose()
    drop()


def found(env, query: str = "", page: int | None = None) -> set[str]:
    html = env["client"].get(f"/staff/conversations?{query}" + (f"&pagina={page}" if page else "")).text
    named = {v: k for k, v in env["refs"].items()}
    return {named[ref] for ref in re.findall(r'/staff/conversations/([0-9a-f]{20})"', html) if ref in named}


def test_summaries_are_folded_from_events(env):
    found(env)  # the first inbox view builds the summaries
    with session_scope(env["engine"]) as s:
        web = s.get(ConversationSummary, env["ids"]["web"])
        assert (web.user_messages, web.nlu_messages, web.has_fallback) == (1, 1, False)
        assert web.min_confidence == pytest.approx(0.9)
        payload = s.get(ConversationSummary, env["ids"]["payload"])
        assert payload.user_messages == 1 and payload.nlu_messages == 0 and payload.min_confidence is None
        handoff = s.get(ConversationSummary, env["ids"]["handoff"])
        assert handoff.handoff_requested and handoff.handoff_requested_at is not None
        assert s.get(ConversationSummary, env["ids"]["fallback"]).has_fallback
        intents = set(s.scalars(select(ConversationIntent.intent)
                                .where(ConversationIntent.conversation_id == env["ids"]["web"])))
        assert intents == {"search_jobs"}


@pytest.mark.parametrize("query, expected", [
    ("kanaal=telegram", {"tg"}),
    ("kanaal=web&rol=werkgever", {"payload"}),
    ("rol=werkzoekende", {"web", "handoff"}),
    ("intentie=search_jobs", {"web"}),
    ("laag=1", {"tg", "fallback"}),  # the button press is not an NLU prediction
    ("fallback=1", {"fallback"}),
    ("overdracht=1", {"handoff"}),
])
def test_filters(env, query, expected):
    assert found(env, query) == expected


def test_date_range_and_pagination(env):
    def local_day(moment):  # the filter works in Amsterdam calendar days
        return moment.replace(tzinfo=dt.UTC).astimezone(AMSTERDAM).date()

    start, end = local_day(at(3)), local_day(at(2))
    assert found(env, f"van={start}&tot={end}") == {"web", "payload"}
    first = env["client"].get("/staff/conversations").text
    assert "Pagina 1 van 3" in first and "13 gevonden" in first
    assert found(env, page=1) == {"handoff", "fallback", "web", "payload", "tg"}  # newest first
    assert 'pagina=2' in first


def test_review_and_tags_filter(env):
    client = env["client"]
    page = client.get(f"/staff/conversations/{env['refs']['web']}").text
    token = csrf_of(page)
    client.post(f"/staff/conversations/{env['refs']['web']}/tags", data={"csrf_token": token, "tag": "Goed voorbeeld"})
    client.post(f"/staff/conversations/{env['refs']['fallback']}/reviewed", data={"csrf_token": token, "reviewed": "1"})
    assert found(env, "label=goed+voorbeeld") == {"web"}
    assert found(env, "beoordeeld=ja") == {"fallback"}
    assert "fallback" not in found(env, "beoordeeld=nee&laag=1")
    client.post(f"/staff/conversations/{env['refs']['web']}/tags",
                data={"csrf_token": token, "tag": "goed voorbeeld", "remove": "1"})
    assert found(env, "label=goed+voorbeeld") == set()


def test_new_events_are_folded_incrementally_and_once(env):
    later = Script(env["ids"]["web"], NOW - dt.timedelta(hours=1), "web")
    later.user("hoe laat gaat de bus", "nlu_fallback", 0.45).bot("action_default_fallback", "Sorry").listen()
    with env["tracker"].begin() as conn:
        conn.execute(tracker.events.insert(), later.events)
    assert found(env, "fallback=1") == {"fallback", "web"}
    with Session(env["engine"]) as s:  # a second refresh must not count anything twice
        summary.refresh(s, env["tracker"])
        summary.refresh(s, env["tracker"])
        assert s.get(ConversationSummary, env["ids"]["web"]).user_messages == 2


def test_deleted_conversation_leaves_the_inbox(env):
    ref, cid = env["refs"]["tg"], env["ids"]["tg"]
    env["client"].post(f"/staff/conversations/{ref}/tags",
                       data={"csrf_token": csrf_of(env["client"].get(f"/staff/conversations/{ref}").text),
                             "tag": "verwijderen"})
    with env["engine"].begin() as conn:  # what the gateway does on "verwijder mijn gegevens"
        conn.execute(delete(Conversation).where(Conversation.id == cid))
    with env["tracker"].begin() as conn:
        conn.execute(tracker.events.delete().where(tracker.events.c.sender_id == cid))
    assert "tg" not in found(env) and "tg" not in found(env, "kanaal=telegram")
    assert env["client"].get(f"/staff/conversations/{ref}").status_code == 404
    with session_scope(env["engine"]) as s:
        for model in (ConversationSummary, ConversationTag, ConversationIntent):
            assert s.scalar(select(func.count()).select_from(model).where(model.conversation_id == cid)) == 0
