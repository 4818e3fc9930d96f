"""Review tools: correcting intents/entities, NLU YAML export and end-to-end test story export.

The exported files are checked with Rasa's own readers (in .venv/rasa) when that environment exists.
"""

from __future__ import annotations

import json
import re
import subprocess
import textwrap
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from placement.db import make_engine, session_scope
from staff import review
from staff.models import AuditLog, NluCorrection
from staff.summary import conversation_ref
from tests.conftest import new_database_url
from tests.staff_support import csrf_of, insert_script, login, make_staff, new_script, workspace
from werkpunt.net import free_port

RASA_PYTHON = Path(__file__).resolve().parent.parent / ".venv" / "rasa" / "bin" / "python"


@pytest.fixture(scope="module")
def env(engine, tmp_path_factory):
    url, drop = new_database_url(engine.dialect.name, tmp_path_factory.mktemp("tracker"))
    tracker_engine = make_engine(url)
    make_staff(engine, "reviewer@test.example", "consulent", ("AM20",), name="Rita Reviewer")
    s = new_script().session().user("Hallo", "greet", 0.99).bot("utter_greet", "Hallo!")
    s.bot("utter_ask_role", "Waarmee kan ik helpen?", [("Ik zoek werk", "/identify_as_jobseeker")]).listen()
    s.user("/identify_as_jobseeker", "identify_as_jobseeker", 1.0).slot("user_role", "werkzoekende")
    s.bot("utter_ask_job", "Wat zoekt u?").listen()
    s.user("ik wil [graag] verven in Gouda als schilder", "ask_training", 0.41, second=("search_jobs", 0.3))
    s.slot("phone", "+31612345678").bot("action_default_fallback", "Sorry").listen()
    s.pause().user("tijdens de overname", "greet", 0.9).resume()
    cid = insert_script(engine, tracker_engine, s, "werkzoekende", "AM20")
    s2 = new_script().session().user("Andere regio", "greet", 0.9).listen()
    insert_script(engine, tracker_engine, s2, None, "AM06")
    with workspace(engine, tracker_engine, free_port()) as (served, _app):
        client, _ = login(served.url, "reviewer@test.example")
        yield {"engine": engine, "client": client, "ref": conversation_ref(cid), "cid": cid, "script": s,
               "tracker": tracker_engine}
    tracker_engine.dispose()
    drop()


def user_event_id(env, text: str) -> int:
    page = env["client"].get(f"/staff/conversations/{env['ref']}").text
    for match in re.finditer(r'name="event_id" value="(\d+)"', page):
        block = page[:match.start()]
        if text in block[block.rfind('<li class="msg user'):]:
            return int(match.group(1))
    raise AssertionError(f"no user message {text!r}")


def test_correct_intent_and_entities(env):
    client, ref = env["client"], env["ref"]
    event_id = user_event_id(env, "verven in Gouda")
    token = csrf_of(client.get(f"/staff/conversations/{ref}").text)
    answer = client.post(f"/staff/conversations/{ref}/corrections", data={
        "csrf_token": token, "event_id": event_id, "intent": "search_jobs",
        "entities": "job_title: schilder\nlocation: Gouda"})
    assert answer.status_code == 303
    page = client.get(f"/staff/conversations/{ref}").text
    assert "Gecorrigeerd naar <code>search_jobs</code>" in page
    with session_scope(env["engine"]) as s:
        corr = s.scalar(select(NluCorrection).where(NluCorrection.event_id == event_id))
        assert corr.original_intent == "ask_training" and corr.intent == "search_jobs"
        assert json.loads(corr.entities) == [
            {"entity": "location", "value": "Gouda", "start": 25, "end": 30},
            {"entity": "job_title", "value": "schilder", "start": 35, "end": 43}]
        assert s.scalar(select(AuditLog).where(AuditLog.action == "review.correct")).detail \
            == "ask_training → search_jobs"


@pytest.mark.parametrize("intent, entities, message", [
    ("bestaat_niet", "", "staat niet in het domein"),
    ("search_jobs", "job_title: timmerman", "komt niet"),
    ("search_jobs", "kleur: blauw", "Onbekende entiteit"),
    ("search_jobs", "zonder dubbelepunt", "entiteit: waarde"),
])
def test_invalid_corrections_are_explained(env, intent, entities, message):
    client, ref = env["client"], env["ref"]
    token = csrf_of(client.get(f"/staff/conversations/{ref}").text)
    answer = client.post(f"/staff/conversations/{ref}/corrections", data={
        "csrf_token": token, "event_id": user_event_id(env, "Hallo"), "intent": intent, "entities": entities})
    assert answer.status_code == 400 and message in answer.text


def test_correcting_a_message_of_another_conversation_is_not_possible(env):
    from staff import tracker

    with env["tracker"].connect() as conn:
        foreign = conn.scalar(select(tracker.events.c.id).where(tracker.events.c.sender_id != env["cid"],
                                                                 tracker.events.c.type_name == "user"))
    token = csrf_of(env["client"].get(f"/staff/conversations/{env['ref']}").text)
    answer = env["client"].post(f"/staff/conversations/{env['ref']}/corrections",
                                data={"csrf_token": token, "event_id": foreign, "intent": "greet"})
    assert answer.status_code == 404


def test_export_nlu_yaml(env, tmp_path):
    answer = env["client"].get("/staff/corrections/nlu.yml")
    assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"]
    assert answer.text.startswith("# Gegenereerd door de medewerkersomgeving") and "persoonsgegevens" in answer.text
    data = yaml.safe_load(answer.text)
    assert data["version"] == "3.1"
    assert data["nlu"] == [{"intent": "search_jobs",
                            "examples": "- ik wil (graag) verven in [Gouda](location) als [schilder](job_title)\n"}]
    with session_scope(env["engine"]) as s:
        row = s.scalar(select(AuditLog).where(AuditLog.action == "export.nlu"))
        assert row.actor == "reviewer@test.example" and row.detail == "1 correcties"
    listing = env["client"].get("/staff/corrections").text
    assert "verven in Gouda" in listing
    if RASA_PYTHON.exists():
        path = tmp_path / "nlu.yml"
        path.write_text(answer.text, encoding="utf-8")
        check = textwrap.dedent(f"""
            from rasa.shared.nlu.training_data.loading import load_data
            td = load_data({str(path)!r})
            ex = td.intent_examples[0]
            print(ex.get("intent"), [(e["entity"], e["value"]) for e in ex.get("entities")])
        """)
        out = subprocess.run([str(RASA_PYTHON), "-c", check], capture_output=True, text=True, timeout=240)
        assert out.returncode == 0, out.stderr[-2000:]
        assert out.stdout.strip().splitlines()[-1] == "search_jobs [('location', 'Gouda'), ('job_title', 'schilder')]"


def test_export_test_story(env, tmp_path):
    answer = env["client"].get(f"/staff/conversations/{env['ref']}/test-story.yml")
    assert answer.status_code == 200
    story = yaml.safe_load(answer.text)["stories"][0]
    assert story["story"] == f"gesprek {env['ref']}"
    steps = story["steps"]
    assert steps[:3] == [{"user": "Hallo", "intent": "greet"}, {"action": "utter_greet"}, {"action": "utter_ask_role"}]
    assert {"intent": "identify_as_jobseeker"} in steps
    # Only slots that steer the dialogue (influence_conversation in domain/) become story steps.
    assert ({"slot_was_set": [{"user_role": "werkzoekende"}]} in steps) == ("user_role" in review.story_slots())
    assert {"user": "ik wil (graag) verven in [Gouda](location) als [schilder](job_title)",
            "intent": "search_jobs"} in steps  # the correction is applied
    assert "+31612345678" not in answer.text  # slots that do not steer the dialogue are left out
    assert "tijdens de overname" not in answer.text  # the part a person handled is not the bot's story
    assert steps[-1] == {"action": "action_default_fallback"}
    with session_scope(env["engine"]) as s:
        assert s.scalar(select(AuditLog).where(AuditLog.action == "export.story")).target_id == env["ref"]
    if RASA_PYTHON.exists():
        path = tmp_path / "test_story.yml"
        path.write_text(answer.text, encoding="utf-8")
        check = textwrap.dedent(f"""
            from rasa.shared.core.domain import Domain
            from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
            steps = YAMLStoryReader(Domain.load("domain")).read_from_file({str(path)!r})
            print(len(steps), len(steps[0].events))
        """)
        out = subprocess.run([str(RASA_PYTHON), "-c", check], capture_output=True, text=True, timeout=240,
                             cwd=Path(__file__).resolve().parent.parent)
        assert out.returncode == 0, out.stderr[-2000:]
        assert out.stdout.strip().splitlines()[-1].startswith("1 ")


def test_annotation_edge_cases():
    synonym = [{"entity": "location", "value": "Amersfoort", "start": 8, "end": 15}]
    assert review.annotate("werk in A'foort", synonym) == 'werk in [A\'foort]{"entity": "location", "value": "Amersfoort"}'
    assert review.annotate("a [b](c)\nd", []) == "a (b)(c) d"
    assert review.parse_entities("schilder en schilder", "job_title: schilder\njob_title: schilder") == [
        {"entity": "job_title", "value": "schilder", "start": 0, "end": 8},
        {"entity": "job_title", "value": "schilder", "start": 12, "end": 20}]
