"""The audit walk: every staff route that returns transcript or personal data writes an audit row.

The routes come from the staff app's own route table, so a new route cannot escape: each one must be
listed here either with the audit action it writes, or with the reason it shows no personal data.
Each data route is then called over real HTTP, as an admin, on its own fresh record, and the test
checks that exactly that request left its row (right action, staff member, target). SQLite and
PostgreSQL.
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import func, insert, select

from placement.db import make_engine, session_scope
from placement.models import Lead
from staff.models import AuditLog
from staff.summary import conversation_ref
from tests.conftest import new_database_url
from tests.staff_support import insert_script, login, make_staff, new_script, workspace
from werkpunt.net import free_port

# GET routes that show transcript or personal data -> (audit action, target type, path parameter).
DATA_ROUTES = {
    "transcript": ("transcript.view", "conversation", "ref"),
    "handoff_live": ("transcript.view", "conversation", "ref"),
    "handoff_messages": ("transcript.view", "conversation", "ref"),
    "export_story": ("export.story", "conversation", "ref"),
    "lead": ("lead.view", "lead", "lead_id"),
    "leads": ("lead.list", "page", None),
    "corrections": ("review.list", "corrections", None),
    "export_nlu": ("export.nlu", "corrections", None),
    "audit_log": ("audit.view", "page", None),
    "accounts": ("user.list", "page", None),
    "account": ("user.view", "staff", "staff_id"),
    "delivery_problems": ("delivery.list", "page", None),
    "alerts": ("alert.list", "page", None),  # issue 16: who was sent which match alert (by ref)
}
# Routes that return no transcript or personal data, and why.
NO_PERSONAL_DATA = {
    "login_form": "sign-in form",
    "reset_form": "password form behind a one-time link; shows nothing of the account",
    "dashboard": "counts and charts only",
    "inbox": "metadata list: time, channel, role, region, counts, intents; no message text, no names",
    "handoff_queue": "metadata list: channel, role, region, waiting time",
    "vacancies": "vacancy titles and employer (business) names",
}
# State-changing routes: they redirect, and each writes its own audit row (tested in test_staff_*.py).
STATE_CHANGES = {"login", "logout", "mark_reviewed", "add_tag", "correct", "delete_correction", "take", "reply",
                 "release", "update_lead", "publish_vacancy", "create_account", "update_account",
                 "set_account_active", "reset_link", "reset_password"}


def api_routes(routes) -> list[APIRoute]:
    """Flatten the app's route table (FastAPI keeps included routers as branches)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif getattr(route, "original_router", None) is not None:
            found += api_routes(route.original_router.routes)
    return found


@pytest.fixture(scope="module")
def env(engine, tmp_path_factory):
    url, drop = new_database_url(engine.dialect.name, tmp_path_factory.mktemp("tracker"))
    tracker_engine = make_engine(url)
    admin_id = make_staff(engine, "walk.beheer@werkpunt.example", "admin")
    with workspace(engine, tracker_engine, free_port()) as (served, app):
        yield {"engine": engine, "tracker": tracker_engine, "base": served.url, "app": app, "admin_id": admin_id}
    tracker_engine.dispose()
    drop()


def fresh_params(env) -> dict[str, str]:
    """A conversation and a lead nobody has looked at yet, so a row can only come from this request."""
    script = new_script().session().user("Ik zoek werk in Gouda", "search_jobs", 0.91).bot(
        "utter_ask_job", "Wat voor werk zoekt u?").listen()
    conversation_id = insert_script(env["engine"], env["tracker"], script, "werkzoekende", "AM20")
    with env["engine"].begin() as conn:
        lead_id = conn.execute(insert(Lead).values(kind="callback", topic="Terugbellen over werk", region_code="AM20",
                                                   contact_name="Test Persoon", contact_phone="+31612345678")
                               .returning(Lead.id)).scalar_one()
    return {"ref": conversation_ref(conversation_id), "lead_id": str(lead_id), "staff_id": str(env["admin_id"])}


def test_every_staff_route_is_classified(env):
    names = {route.name for route in api_routes(env["app"].routes)}
    assert names, "the walk found no routes"
    unclassified = names - set(DATA_ROUTES) - set(NO_PERSONAL_DATA) - STATE_CHANGES
    assert not unclassified, f"new staff routes: say whether they show personal data: {sorted(unclassified)}"
    assert not (set(DATA_ROUTES) | set(NO_PERSONAL_DATA) | STATE_CHANGES) - names, "stale names in the walk"
    for route in api_routes(env["app"].routes):
        if route.name in STATE_CHANGES:
            assert route.methods <= {"POST"}, f"{route.name} is listed as a state change but answers GET"
        else:
            assert "GET" in route.methods


def test_every_data_route_writes_its_audit_row(env):
    client, answer = login(env["base"], "walk.beheer@werkpunt.example")
    assert answer.status_code == 303
    routes = {route.name: route for route in api_routes(env["app"].routes)}
    for name, (action, target_type, param) in DATA_ROUTES.items():
        params = fresh_params(env)
        path = re.sub(r"\{(\w+)\}", lambda m: params[m.group(1)], routes[name].path)
        with session_scope(env["engine"]) as s:
            before = s.scalar(select(func.max(AuditLog.id))) or 0
        page = client.get("/staff" + path)
        assert page.status_code == 200, f"{name}: {page.status_code}"
        with session_scope(env["engine"]) as s:
            rows = list(s.scalars(select(AuditLog).where(AuditLog.id > before, AuditLog.action == action,
                                                         AuditLog.staff_id == env["admin_id"])))
        assert rows, f"{name} ({path}) returned data without an audit row"
        assert rows[-1].target_type == target_type and rows[-1].outcome == "ok" and rows[-1].ip == "127.0.0.1"
        if param:
            assert rows[-1].target_id == params[param], name
