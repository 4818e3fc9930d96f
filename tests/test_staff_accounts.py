"""Staff accounts in the workspace, over real HTTP on SQLite and PostgreSQL: create, bad input (nothing
changes), role and regions, switching off and on, one-time password links; every change audited."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import func, select

from placement.db import make_engine, session_scope
from placement.models import StaffMember, StaffRegion
from staff.models import AuditLog, StaffSession
from tests.conftest import new_database_url
from tests.staff_support import csrf_of, login, make_staff, workspace
from werkpunt.net import free_port

ADMIN = "accounts.beheer@werkpunt.example"


@pytest.fixture(scope="module")
def env(engine, tmp_path_factory):
    url, drop = new_database_url(engine.dialect.name, tmp_path_factory.mktemp("tracker"))
    tracker_engine = make_engine(url)
    make_staff(engine, ADMIN, "admin")
    make_staff(engine, "gewoon.am20@werkpunt.example", "consulent", ("AM20",))
    with workspace(engine, tracker_engine, free_port()) as (served, _app):
        client, answer = login(served.url, ADMIN)
        assert answer.status_code == 303
        yield {"engine": engine, "base": served.url, "admin": client}
    tracker_engine.dispose()
    drop()


def audit_rows(engine, action: str) -> list[AuditLog]:
    with session_scope(engine) as s:
        return list(s.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)))


def member(engine, email: str) -> StaffMember | None:
    with session_scope(engine) as s:
        found = s.scalar(select(StaffMember).where(StaffMember.email == email))
        if found is not None:
            found.region_codes = sorted(r.region_code for r in found.regions)
            s.expunge(found)
        return found


def counts(engine) -> tuple[int, int, int]:
    with session_scope(engine) as s:
        return (s.scalar(select(func.count()).select_from(StaffMember)),
                s.scalar(select(func.count()).select_from(StaffRegion)),
                s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.like("user.%"),
                                                                          AuditLog.action != "user.list")))


def post(env, path: str, **data) -> httpx.Response:
    page = env["admin"].get("/staff/accounts")
    return env["admin"].post(path, data={"csrf_token": csrf_of(page.text), **data})


def create(env, email: str, role: str = "consulent", regions: str = "AM20") -> httpx.Response:
    return post(env, "/staff/accounts", name="Nieuwe Collega", email=email, role=role, regions=regions)


def test_admin_creates_an_account_and_it_is_audited(env):
    answer = create(env, "Nieuw.Collega@Werkpunt.example", "jobcoach", "am20, AM06")
    assert answer.status_code == 303
    made = member(env["engine"], "nieuw.collega@werkpunt.example")
    assert made.role == "jobcoach" and made.region_codes == ["AM06", "AM20"] and made.active
    assert made.password_hash is None  # the admin makes a password link next
    row = audit_rows(env["engine"], "user.create")[-1]
    assert row.actor == ADMIN and row.target_id == str(made.id) and row.detail == "jobcoach AM06,AM20"
    listing = env["admin"].get("/staff/accounts")
    assert "nieuw.collega@werkpunt.example" in listing.text and "geen wachtwoord" in listing.text
    assert audit_rows(env["engine"], "user.list")[-1].actor == ADMIN


@pytest.mark.parametrize("email, role, regions, message", [
    ("gewoon.am20@werkpunt.example", "consulent", "AM20", "Er is al een account met e-mailadres"),
    ("GEWOON.AM20@werkpunt.example", "consulent", "AM20", "Er is al een account met e-mailadres"),
    ("nog.een@werkpunt.example", "consulent", "AM20 AM99", "Onbekende regiocode: AM99"),
    ("nog.een@werkpunt.example", "consulent", "", "heeft minstens één regio nodig"),
    ("nog.een@werkpunt.example", "directeur", "AM20", "Kies een rol"),
    ("geen-adres", "consulent", "AM20", "geldig e-mailadres"),
])
def test_bad_input_gets_a_dutch_error_and_changes_nothing(env, email, role, regions, message):
    before = counts(env["engine"])
    answer = create(env, email, role, regions)
    assert answer.status_code == 400 and message in answer.text and "Er is niets opgeslagen" in answer.text
    assert counts(env["engine"]) == before
    assert f'value="{email}"' in answer.text  # the form keeps what was typed


def test_role_and_regions_change_ends_the_members_sessions(env):
    create(env, "wissel@werkpunt.example")
    made = member(env["engine"], "wissel@werkpunt.example")
    make_staff(env["engine"], "wissel@werkpunt.example", "consulent")  # give it a password to sign in with
    client, _ = login(env["base"], "wissel@werkpunt.example")
    assert client.get("/staff/").status_code == 200
    bad = post(env, f"/staff/accounts/{made.id}", role="accountmanager", regions="XX1")
    assert bad.status_code == 400 and "Onbekende regiocode: XX1" in bad.text
    assert member(env["engine"], "wissel@werkpunt.example").region_codes == ["AM20"]
    ok = post(env, f"/staff/accounts/{made.id}", role="accountmanager", regions="AM06")
    assert ok.status_code == 303
    changed = member(env["engine"], "wissel@werkpunt.example")
    assert changed.role == "accountmanager" and changed.region_codes == ["AM06"]
    assert audit_rows(env["engine"], "user.update")[-1].detail == "accountmanager AM06"
    assert client.get("/staff/").status_code == 303  # signed out: the new rights apply at once


def test_switch_off_and_on(env):
    make_staff(env["engine"], "uitzetten@werkpunt.example", "consulent", ("AM20",))
    target = member(env["engine"], "uitzetten@werkpunt.example")
    client, _ = login(env["base"], "uitzetten@werkpunt.example")
    assert client.get("/staff/").status_code == 200
    assert post(env, f"/staff/accounts/{target.id}/active", active="0").status_code == 303
    assert client.get("/staff/").status_code == 303  # the open session ended
    _c, refused = login(env["base"], "uitzetten@werkpunt.example")
    assert refused.status_code == 401
    with session_scope(env["engine"]) as s:
        assert not s.scalar(select(func.count()).select_from(StaffSession).where(StaffSession.staff_id == target.id))
    assert audit_rows(env["engine"], "user.deactivate")[-1].target_id == str(target.id)
    assert post(env, f"/staff/accounts/{target.id}/active", active="1").status_code == 303
    assert audit_rows(env["engine"], "user.reactivate")[-1].target_id == str(target.id)
    _c, again = login(env["base"], "uitzetten@werkpunt.example")
    assert again.status_code == 303


def test_admin_cannot_lock_themselves_out(env):
    me = member(env["engine"], ADMIN)
    answer = post(env, f"/staff/accounts/{me.id}/active", active="0")
    assert answer.status_code == 400 and "eigen account niet uitzetten" in answer.text
    demote = post(env, f"/staff/accounts/{me.id}", role="consulent", regions="AM20")
    assert demote.status_code == 400 and member(env["engine"], ADMIN).role == "admin"


def test_one_time_password_link(env):
    create(env, "nieuw.wachtwoord@werkpunt.example")
    made = member(env["engine"], "nieuw.wachtwoord@werkpunt.example")
    page = post(env, f"/staff/accounts/{made.id}/reset")
    assert page.status_code == 200
    link = re.search(r'value="(http://[^"]+/staff/wachtwoord/[^"]+)"', page.text).group(1)
    token = link.rsplit("/", 1)[1]
    reset = audit_rows(env["engine"], "user.reset")[-1]
    assert reset.target_id == str(made.id) and token not in reset.detail
    public = httpx.Client(base_url=env["base"])
    assert public.get(link).status_code == 200
    mismatch = public.post(link, data={"password": "een-lang-wachtwoord", "repeat": "een-ander-wachtwoord"})
    assert mismatch.status_code == 400 and "niet gelijk" in mismatch.text
    short = public.post(link, data={"password": "kort", "repeat": "kort"})
    assert short.status_code == 400 and "minstens 12 tekens" in short.text
    done = public.post(link, data={"password": "een-lang-wachtwoord", "repeat": "een-lang-wachtwoord"})
    assert done.status_code == 303 and "melding=wachtwoord-gezet" in done.headers["location"]
    assert public.get(link).status_code == 404  # one time only
    assert public.post(link, data={"password": "nog-een-wachtwoord", "repeat": "nog-een-wachtwoord"}).status_code == 404
    _c, signed_in = login(env["base"], "nieuw.wachtwoord@werkpunt.example", "een-lang-wachtwoord")
    assert signed_in.status_code == 303
    assert audit_rows(env["engine"], "user.password")[-1].detail == "via eenmalige link"
    # A newer link replaces an older unused one.
    first = re.search(r"/staff/wachtwoord/([^\"]+)\"", post(env, f"/staff/accounts/{made.id}/reset").text).group(1)
    post(env, f"/staff/accounts/{made.id}/reset")
    assert public.get(f"/staff/wachtwoord/{first}").status_code == 404


def test_non_admins_get_no_access(env):
    client, _ = login(env["base"], "gewoon.am20@werkpunt.example")
    assert client.get("/staff/accounts").status_code == 403
    page = client.get("/staff/")
    target = member(env["engine"], "gewoon.am20@werkpunt.example")
    answer = client.post(f"/staff/accounts/{target.id}", data={"csrf_token": csrf_of(page.text), "role": "admin",
                                                                "regions": ""})
    assert answer.status_code == 403 and member(env["engine"], "gewoon.am20@werkpunt.example").role == "consulent"
    assert audit_rows(env["engine"], "access.denied")[-1].actor == "gewoon.am20@werkpunt.example"
