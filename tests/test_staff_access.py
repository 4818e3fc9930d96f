"""Per-record access control by region and role, the audit trail of views and refusals, escaping."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import DBAPIError

from placement.db import make_engine, session_scope
from placement.models import Employer, Lead, Vacancy
from staff.models import AuditLog
from staff.summary import conversation_ref
from tests.conftest import new_database_url
from tests.staff_support import csrf_of, insert_script, login, make_staff, new_script, workspace
from werkpunt.net import free_port

SCRIPT_TEXT = "<script>alert('xss')</script> Ik zoek werk"


@pytest.fixture(scope="module")
def env(engine, tmp_path_factory):
    url, drop = new_database_url(engine.dialect.name, tmp_path_factory.mktemp("tracker"))
    tracker_engine = make_engine(url)
    make_staff(engine, "admin@test.example", "admin")
    make_staff(engine, "consulent@test.example", "consulent", ("AM20",))
    make_staff(engine, "am06@test.example", "accountmanager", ("AM06",))
    refs = {}
    for key, region, role, state, words in (("am20", "AM20", "werkzoekende", "none", SCRIPT_TEXT),
                                            ("am06", "AM06", "werkgever", "none", "Geheim van regio AM06"),
                                            ("none", None, None, "none", "Zonder regio"),
                                            ("queue", None, "werkgever", "requested", "Ik wil een mens")):
        script = new_script().session().user(words, "search_jobs", 0.8).bot("utter_x", "Antwoord").listen()
        refs[key] = conversation_ref(insert_script(engine, tracker_engine, script, role, region, state))
    with session_scope(engine) as s:
        s.execute(insert(Employer), [dict(id=9001, name="Testbedrijf", gemeente_code="GM0513"),
                                     dict(id=9002, name="Ander bedrijf", gemeente_code="GM0200")])
        s.execute(insert(Vacancy), [dict(id=9001, employer_id=9001, title="Inpakker", hours_min=20, hours_max=32,
                                         gemeente_code="GM0513", status="concept", origin="chat"),
                                    dict(id=9002, employer_id=9002, title="Heftruckchauffeur", hours_min=32,
                                         hours_max=40, gemeente_code="GM0200", status="concept", origin="chat")])
        s.execute(insert(Lead), [dict(id=9001, kind="callback", topic="Terugbellen", region_code="AM20",
                                      contact_name="Jan Jansen", contact_phone="+31612345678"),
                                 dict(id=9002, kind="callback", topic="Terugbellen", region_code="AM06",
                                      contact_name="Piet Geheim", contact_phone="+31687654321")])
    with workspace(engine, tracker_engine, free_port()) as (served, _app):
        yield {"engine": engine, "base": served.url, "refs": refs}
    tracker_engine.dispose()
    drop()


def last_audit(engine, **where) -> AuditLog:
    with session_scope(engine) as s:
        query = select(AuditLog)
        for name, value in where.items():
            query = query.where(getattr(AuditLog, name) == value)
        return s.scalar(query.order_by(AuditLog.id.desc()))


def test_other_regions_conversation_is_403_and_logged(env):
    client, _ = login(env["base"], "consulent@test.example")
    for key in ("am06", "none"):
        answer = client.get(f"/staff/conversations/{env['refs'][key]}")
        assert answer.status_code == 403
        assert "Geheim" not in answer.text and "Zonder regio" not in answer.text and "Geen toegang" in answer.text
        row = last_audit(env["engine"], action="access.denied", target_id=env["refs"][key])
        assert row.outcome == "refused" and row.actor == "consulent@test.example"
    for path in (f"/staff/conversations/{env['refs']['am06']}/test-story.yml",
                 f"/staff/handoff/{env['refs']['am06']}", f"/staff/handoff/{env['refs']['am06']}/messages"):
        assert client.get(path).status_code == 403
    page = client.get(f"/staff/conversations/{env['refs']['am20']}")
    posted = client.post(f"/staff/conversations/{env['refs']['am06']}/reviewed",
                         data={"csrf_token": csrf_of(page.text), "reviewed": "1"})
    assert posted.status_code == 403


def test_inbox_shows_own_region_only_and_admin_everything(env):
    consulent, _ = login(env["base"], "consulent@test.example")
    page = consulent.get("/staff/conversations").text
    assert env["refs"]["am20"] in page
    assert env["refs"]["am06"] not in page and env["refs"]["none"] not in page
    admin, _ = login(env["base"], "admin@test.example")
    page = admin.get("/staff/conversations").text
    assert all(ref in page for ref in env["refs"].values())
    assert admin.get(f"/staff/conversations/{env['refs']['am06']}").status_code == 200


def test_transcript_view_is_logged_without_content_and_escaped(env):
    client, _ = login(env["base"], "consulent@test.example")
    answer = client.get(f"/staff/conversations/{env['refs']['am20']}")
    assert answer.status_code == 200
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in answer.text
    assert "<script>alert" not in answer.text
    row = last_audit(env["engine"], action="transcript.view", target_id=env["refs"]["am20"])
    assert row.actor == "consulent@test.example" and row.outcome == "ok" and row.at is not None
    assert "zoek" not in (row.detail or "") and "script" not in (row.detail or "")


def test_leads_of_other_regions_are_403_and_logged(env):
    client, _ = login(env["base"], "consulent@test.example")
    listing = client.get("/staff/leads").text
    assert "/staff/leads/9001" in listing and "/staff/leads/9002" not in listing
    mine = client.get("/staff/leads/9001")
    assert mine.status_code == 200 and "Jan Jansen" in mine.text
    assert last_audit(env["engine"], action="lead.view", target_id="9001").actor == "consulent@test.example"
    other = client.get("/staff/leads/9002")
    assert other.status_code == 403 and "Piet" not in other.text
    assert last_audit(env["engine"], action="access.denied", target_type="lead").target_id == "9002"


def test_only_accountmanagers_of_the_region_publish_vacancies(env):
    consulent, _ = login(env["base"], "consulent@test.example")
    token = csrf_of(consulent.get("/staff/vacancies").text)
    assert consulent.post("/staff/vacancies/9001/publish", data={"csrf_token": token}).status_code == 403
    am06, _ = login(env["base"], "am06@test.example")
    listing = am06.get("/staff/vacancies").text
    assert "Heftruckchauffeur" in listing and "Inpakker" not in listing
    token = csrf_of(listing)
    assert am06.post("/staff/vacancies/9001/publish", data={"csrf_token": token}).status_code == 403
    assert last_audit(env["engine"], action="access.denied", target_type="vacancy").actor == "am06@test.example"
    assert am06.post("/staff/vacancies/9002/publish", data={"csrf_token": token}).status_code == 303
    with session_scope(env["engine"]) as s:
        assert s.get(Vacancy, 9002).status == "open" and s.get(Vacancy, 9001).status == "concept"
    assert last_audit(env["engine"], action="vacancy.publish").target_id == "9002"


def test_audit_log_is_for_admins_only(env):
    consulent, _ = login(env["base"], "consulent@test.example")
    refused = consulent.get("/staff/audit")
    assert refused.status_code == 403 and "Inloggen" not in refused.text
    row = last_audit(env["engine"], action="access.denied", actor="consulent@test.example")
    assert row.target_id == "/staff/audit" and row.detail == "alleen voor beheerders"
    admin, _ = login(env["base"], "admin@test.example")
    page = admin.get("/staff/audit?uitkomst=refused")
    assert page.status_code == 200 and "consulent@test.example" in page.text and "Geen toegang" in page.text
    assert last_audit(env["engine"], action="audit.view").actor == "admin@test.example"


def test_handoff_queue_follows_region_and_role(env):
    consulent, _ = login(env["base"], "consulent@test.example")
    assert env["refs"]["queue"] not in consulent.get("/staff/handoff").text  # an employer: accountmanagers
    page = consulent.get("/staff/handoff")
    taken = consulent.post(f"/staff/handoff/{env['refs']['queue']}/take", data={"csrf_token": csrf_of(page.text)})
    assert taken.status_code == 403
    assert last_audit(env["engine"], action="access.denied", target_id=env["refs"]["queue"]).detail \
        == "overname buiten regio of rol"
    am06, _ = login(env["base"], "am06@test.example")
    queue = am06.get("/staff/handoff").text
    assert env["refs"]["queue"] in queue  # no region yet: offered to every fitting role
    ref = env["refs"]["queue"]
    assert am06.get(f"/staff/conversations/{ref}").status_code == 403  # reading it comes with taking it
    assert am06.post(f"/staff/handoff/{ref}/take", data={"csrf_token": csrf_of(queue)}).status_code == 303
    assert am06.get(f"/staff/conversations/{ref}").status_code == 200
    released = am06.post(f"/staff/handoff/{ref}/release", data={"csrf_token": csrf_of(queue)})
    assert released.headers["location"].startswith("/staff/handoff?")  # not back to a page they may not see
    assert am06.get(f"/staff/conversations/{ref}").status_code == 403


def test_audit_log_is_append_only_in_the_database(env):
    with pytest.raises((DBAPIError, PermissionError)):
        with env["engine"].begin() as conn:
            conn.execute(text("UPDATE audit_log SET actor = 'iemand anders'"))
    with pytest.raises((DBAPIError, PermissionError)):
        with env["engine"].begin() as conn:
            conn.execute(text("DELETE FROM audit_log"))
    with session_scope(env["engine"]) as s:
        assert s.scalar(select(AuditLog).where(AuditLog.actor == "iemand anders")) is None


def test_huge_ids_and_odd_digits_are_refused_not_500(env):
    client, _ = login(env["base"], "consulent@test.example")
    for path in ("/staff/leads/99999999999999999999", "/staff/leads/0", "/staff/leads/-1"):
        assert client.get(path).status_code in (400, 404, 422), path
    token = csrf_of(client.get("/staff/leads/9001").text)
    odd = client.post("/staff/leads/9001", data={"csrf_token": token, "assignee": "²", "status": ""})
    assert odd.status_code == 303  # "²".isdigit() is True, but it is no staff id: nothing assigned
    with session_scope(env["engine"]) as s:
        assert s.get(Lead, 9001).assigned_staff_id is None
