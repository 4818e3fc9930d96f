"""Staff sign-in, sessions, CSRF and response headers, over real HTTP on SQLite and PostgreSQL.

Every refusal must also be in the audit log: wrong password, throttled attempt, expired session (idle and
absolute), missing or wrong CSRF token.
"""

from __future__ import annotations

import datetime as dt
import re
import time

import httpx
import pytest
from sqlalchemy import select, update

from placement.db import make_engine, session_scope
from placement.models import StaffMember
from staff.models import AuditLog, StaffSession
from staff.security import Policy, token_hash
from staff.summary import conversation_ref
from tests.conftest import new_database_url
from tests.staff_support import PASSWORD, csrf_of, insert_script, login, make_staff, new_script, workspace
from werkpunt.net import free_port

BACKOFF, MAX_PER_IP = 8, 8  # seconds; failures per IP (smaller than the defaults, to keep the test short)


@pytest.fixture(scope="module")
def env(engine, tmp_path_factory):
    url, drop = new_database_url(engine.dialect.name, tmp_path_factory.mktemp("tracker"))
    tracker_engine = make_engine(url)
    make_staff(engine, "beheer@werkpunt.example", "admin")
    make_staff(engine, "consulent.am20@werkpunt.example", "consulent", ("AM20",))
    make_staff(engine, "jobcoach.am20@werkpunt.example", "jobcoach", ("AM20",))
    script = new_script().session().user("Hallo", "greet", 0.99).bot("utter_greet", "Hallo!").listen()
    conversation_id = insert_script(engine, tracker_engine, script, "werkzoekende", "AM20")
    policy = Policy(idle=dt.timedelta(minutes=30), absolute=dt.timedelta(hours=12), max_failures=5,
                    max_failures_per_ip=MAX_PER_IP, backoff=dt.timedelta(seconds=BACKOFF))
    with workspace(engine, tracker_engine, free_port(), policy=policy) as (served, _app):
        yield {"engine": engine, "base": served.url, "conversation_id": conversation_id,
               "ref": conversation_ref(conversation_id)}
    tracker_engine.dispose()
    drop()


def audit_rows(engine, action: str, **where) -> list[AuditLog]:
    with session_scope(engine) as s:
        query = select(AuditLog).where(AuditLog.action == action)
        for name, value in where.items():
            query = query.where(getattr(AuditLog, name) == value)
        return list(s.scalars(query.order_by(AuditLog.id)))


def test_sign_in_sets_a_safe_session_cookie_and_is_logged(env):
    client, answer = login(env["base"], "consulent.am20@werkpunt.example")
    assert answer.status_code == 303 and answer.headers["location"] == "/staff/"
    cookie = answer.headers["set-cookie"]
    assert "werkpunt_staff=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Path=/staff" in cookie and "Secure" not in cookie  # plain http in this test
    token = client.cookies.get("werkpunt_staff")
    assert token not in answer.headers["location"]
    with session_scope(env["engine"]) as s:  # only a hash of the token is stored
        assert s.get(StaffSession, token_hash(token)) is not None
        assert s.get(StaffSession, token) is None
    assert audit_rows(env["engine"], "auth.login", actor="consulent.am20@werkpunt.example", outcome="ok")
    page = client.get("/staff/")
    assert page.status_code == 200 and "Overzicht" in page.text


def test_cookie_is_secure_behind_https(env):
    client = httpx.Client(base_url=env["base"], headers={"X-Forwarded-Proto": "https"})
    page = client.get("/staff/login")
    assert "Secure" in page.headers["set-cookie"]  # uvicorn trusts X-Forwarded-Proto from 127.0.0.1


def test_wrong_password_is_refused_and_logged(env):
    client, answer = login(env["base"], "consulent.am20@werkpunt.example", "niet-het-goede-wachtwoord")
    assert answer.status_code == 401 and "klopt niet" in answer.text
    assert "werkpunt_staff" not in client.cookies
    rows = audit_rows(env["engine"], "auth.login", actor="consulent.am20@werkpunt.example", outcome="refused")
    assert rows[-1].detail == "onjuist wachtwoord" and rows[-1].ip == "127.0.0.1"
    _c, unknown = login(env["base"], "niemand@werkpunt.example")
    assert unknown.status_code == 401 and "klopt niet" in unknown.text  # same answer as a wrong password
    assert audit_rows(env["engine"], "auth.login", actor="niemand@werkpunt.example")[-1].detail == "onbekend account"


def _attempt(base: str, email: str, password: str, ip: str) -> httpx.Response:
    """One sign-in from `ip` (uvicorn takes X-Forwarded-For from 127.0.0.1, as behind a proxy)."""
    client = httpx.Client(base_url=base, headers={"X-Forwarded-For": ip}, timeout=20)
    token = re.search(r'name="login_token" value="([^"]+)"', client.get("/staff/login").text).group(1)
    return client.post("/staff/login", data={"email": email, "password": password, "login_token": token})


def test_failures_per_address_slow_down_but_the_owner_still_signs_in(env):
    email, ip = "jobcoach.am20@werkpunt.example", "198.51.100.7"
    for _ in range(5):
        assert _attempt(env["base"], email, "fout-fout-fout-fout", ip).status_code == 401
    last_failure = time.monotonic()
    early = _attempt(env["base"], email, PASSWORD, "198.51.100.8")  # right password, other IP: still waits
    assert early.status_code == 429 and "Te veel mislukte pogingen. Wacht" in early.text
    for _ in range(3):  # hammering during the wait: refused, logged, and it does not extend the wait
        assert _attempt(env["base"], email, "fout-fout-fout-fout", ip).status_code == 429
    details = [r.detail for r in audit_rows(env["engine"], "auth.login", actor=email, outcome="refused")]
    assert details == ["onjuist wachtwoord"] * 5 + ["geblokkeerd"] * 4
    time.sleep(max(0.0, last_failure + BACKOFF + 0.3 - time.monotonic()))
    late = _attempt(env["base"], email, PASSWORD, ip)
    assert late.status_code == 303 and late.headers["location"] == "/staff/"
    with session_scope(env["engine"]) as s:  # no automatic lockout: that is an admin's decision
        assert s.scalar(select(StaffMember.active).where(StaffMember.email == email)) is True


def test_failures_per_ip_slow_down_that_ip_only(env):
    ip = "203.0.113.9"
    for n in range(MAX_PER_IP):  # one failure each for many addresses: no address reaches its own limit
        assert _attempt(env["base"], f"geraden{n}@werkpunt.example", "fout-fout-fout-fout", ip).status_code == 401
    blocked = _attempt(env["base"], "consulent.am20@werkpunt.example", PASSWORD, ip)
    assert blocked.status_code == 429
    assert audit_rows(env["engine"], "auth.login", ip=ip, outcome="refused")[-1].detail == "geblokkeerd"
    elsewhere = _attempt(env["base"], "consulent.am20@werkpunt.example", PASSWORD, "203.0.113.10")
    assert elsewhere.status_code == 303


def test_login_form_without_its_token_is_refused_and_logged(env):
    client = httpx.Client(base_url=env["base"])
    answer = client.post("/staff/login", data={"email": "consulent.am20@werkpunt.example", "password": "x" * 20})
    assert answer.status_code == 403
    assert audit_rows(env["engine"], "csrf.refused", actor="consulent.am20@werkpunt.example")


def test_pages_need_a_session(env):
    answer = httpx.get(f"{env['base']}/staff/conversations?kanaal=web")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/staff/login?next=%2Fstaff%2Fconversations")
    assert httpx.get(f"{env['base']}/staff/conversations/{env['ref']}").status_code == 303


@pytest.mark.parametrize("field, age, reason", [("last_seen_at", dt.timedelta(minutes=31), "idle"),
                                                ("created_at", dt.timedelta(hours=12, minutes=1), "absolute")])
def test_expired_session_is_refused_and_logged(env, field, age, reason):
    client, _ = login(env["base"], "consulent.am20@werkpunt.example")
    token = client.cookies.get("werkpunt_staff")
    assert client.get("/staff/conversations").status_code == 200
    with session_scope(env["engine"]) as s:
        row = s.get(StaffSession, token_hash(token))
        s.execute(update(StaffSession).where(StaffSession.id == row.id).values({field: getattr(row, field) - age}))
    answer = client.get("/staff/conversations")
    assert answer.status_code == 303 and "melding=verlopen" in answer.headers["location"]
    rows = audit_rows(env["engine"], "auth.session_expired", outcome="refused")
    assert rows[-1].detail == reason and rows[-1].staff_id is not None
    with session_scope(env["engine"]) as s:
        assert s.get(StaffSession, token_hash(token)) is None
    client.cookies.set("werkpunt_staff", token, path="/staff")  # replaying the old cookie does not help
    assert client.get("/staff/conversations").status_code == 303


def test_sign_out_ends_the_session(env):
    client, _ = login(env["base"], "consulent.am20@werkpunt.example")
    token = client.cookies.get("werkpunt_staff")
    page = client.get("/staff/")
    answer = client.post("/staff/logout", data={"csrf_token": csrf_of(page.text)})
    assert answer.status_code == 303 and "melding=uitgelogd" in answer.headers["location"]
    assert 'werkpunt_staff=""' in answer.headers["set-cookie"]
    replay = httpx.Client(base_url=env["base"])
    replay.cookies.set("werkpunt_staff", token, path="/staff")
    assert replay.get("/staff/").status_code == 303
    assert audit_rows(env["engine"], "auth.logout", actor="consulent.am20@werkpunt.example")


def test_state_change_without_csrf_token_is_refused_and_logged(env):
    client, _ = login(env["base"], "consulent.am20@werkpunt.example")
    target = f"/staff/conversations/{env['ref']}/reviewed"
    missing = client.post(target, data={"reviewed": "1"})
    assert missing.status_code == 403 and "formulier" in missing.text
    wrong = client.post(target, data={"reviewed": "1", "csrf_token": "nagemaakt"})
    assert wrong.status_code == 403
    details = [r.detail for r in audit_rows(env["engine"], "csrf.refused", actor="consulent.am20@werkpunt.example",
                                            outcome="refused")]
    assert "ontbreekt" in details and "onjuist" in details
    page = client.get(f"/staff/conversations/{env['ref']}")
    ok = client.post(target, data={"reviewed": "1", "csrf_token": csrf_of(page.text)})
    assert ok.status_code == 303


def test_security_headers_and_no_conversation_ids_in_pages(env):
    client, _ = login(env["base"], "consulent.am20@werkpunt.example")
    inbox = client.get("/staff/conversations")
    headers = inbox.headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY" and headers["referrer-policy"] == "no-referrer"
    assert headers["cache-control"] == "no-store" and headers["x-content-type-options"] == "nosniff"
    static = client.get("/staff/static/staff.js")
    assert static.status_code == 200 and "cache-control" not in static.headers  # cacheable, no personal data
    transcript = client.get(f"/staff/conversations/{env['ref']}")
    assert env["ref"] in inbox.text and transcript.status_code == 200
    # The web conversation id is the user's secret: staff pages use the ref, never the id.
    assert env["conversation_id"] not in inbox.text and env["conversation_id"] not in transcript.text


def test_no_open_redirect_after_sign_in(env):
    client = httpx.Client(base_url=env["base"])
    import re

    token = re.search(r'name="login_token" value="([^"]+)"', client.get("/staff/login").text).group(1)
    answer = client.post("/staff/login", data={"email": "consulent.am20@werkpunt.example", "password":
                                               "werkpunt-test-wachtwoord", "login_token": token,
                                               "next": "//evil.example/staff/"})
    assert answer.headers["location"] == "/staff/"
