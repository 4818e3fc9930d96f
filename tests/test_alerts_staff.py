"""The staff view of match alerts (issue 16): what was sent to whom (by ref), paused subscriptions with
the reason, figures per region on the alerts page and the overview; region access and the audit trail.
Both engines over real HTTP; the page itself through axe in Chromium."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest
from sqlalchemy import select

from placement.alerts.models import Alert, AlertSubscription
from placement.db import make_engine, session_scope
from placement.matching.area import region_code_of
from staff.models import AuditLog
from staff.summary import conversation_ref
from tests import alerts_support as sup
from tests.conftest import new_database_url
from tests.staff_support import CHROMIUM, CHROMIUM_ARGS, login, make_staff, workspace
from werkpunt.net import free_port

GOUDA, GRONINGEN = "GM0513", sup.GRONINGEN
MOMENT = dt.datetime(2026, 11, 20, 10, 0)


def _sub(s, conversation, gemeente, status="actief", reason=None, channel="web", kind="werkzoekende", vacancy=None):
    row = AlertSubscription(conversation_id=conversation, channel=channel, kind=kind, gemeente_code=gemeente,
                            region_code=region_code_of(gemeente), status=status, paused_reason=reason,
                            frequency="direct", vacancy_id=vacancy)
    s.add(row)
    s.flush()
    return row


@pytest.fixture(scope="module")
def env(engine, tmp_path_factory):
    url, drop = new_database_url(engine.dialect.name, tmp_path_factory.mktemp("tracker"))
    tracker_engine = make_engine(url)
    make_staff(engine, "beheer@alerts.example", "admin")
    make_staff(engine, "gouda@alerts.example", "consulent", (region_code_of(GOUDA),))
    with session_scope(engine) as s:
        boss = sup.employer(s, GOUDA)
        here = sup.vacancy(s, "schoonmaker", GOUDA, employer_row=boss, publish=False)
        there = sup.vacancy(s, "kok", GRONINGEN, employer_row=boss, publish=False)
        cand = sup.candidate(s, "schoonmaker", GOUDA, register=False, name="Geheime Naam")
        mine = _sub(s, "web-gouda-secret-id", GOUDA)
        boss_sub = _sub(s, "web-gouda-boss", GOUDA, kind="werkgever", vacancy=here.id)
        other = _sub(s, "web-groningen-secret", GRONINGEN)
        _sub(s, "tg-gouda-blocked", GOUDA, status="gepauzeerd", reason="telegram_geblokkeerd", channel="telegram")
        _sub(s, "web-gouda-stopped", GOUDA, status="gestopt")
        s.add_all([
            Alert(subscription_id=mine.id, pair_key="w:a:1", vacancy_id=here.id, status="gesolliciteerd",
                  sent_at=MOMENT, opened_at=MOMENT),
            Alert(subscription_id=mine.id, pair_key="w:a:2", vacancy_id=there.id, status="niet_passend",
                  feedback="te_ver", sent_at=MOMENT, opened_at=MOMENT),
            Alert(subscription_id=boss_sub.id, pair_key=f"e:{here.id}:{cand.id}", vacancy_id=here.id,
                  candidate_id=cand.id, status="verzonden", sent_at=MOMENT),
            Alert(subscription_id=mine.id, pair_key="w:a:3", vacancy_id=here.id, status="wachtend"),
            Alert(subscription_id=other.id, pair_key="w:b:1", vacancy_id=there.id, status="verzonden", sent_at=MOMENT),
        ])
    with workspace(engine, tracker_engine, free_port()) as (served, _app):
        yield {"engine": engine, "base": served.url, "candidate": cand.id}
    tracker_engine.dispose()
    drop()


def _figures(html: str) -> list[list[str]]:
    table = html.split("<caption>Berichten over nieuw werk", 1)[1].split("</table>", 1)[0]
    return [re.findall(r"<td>([^<]*)</td>", row) for row in re.findall(r"<tr><td>.*?</tr>", table, re.S)]


def test_region_staff_see_their_alerts_by_ref_with_figures_and_audit(env):
    client, _ = login(env["base"], "gouda@alerts.example")
    page = client.get("/staff/meldingen")
    assert page.status_code == 200
    html = page.text
    assert conversation_ref("web-gouda-secret-id")[:8] in html and "web-gouda-secret-id" not in html
    assert conversation_ref("web-groningen-secret")[:8] not in html  # another region's
    assert "Telegram geblokkeerd door de gebruiker" in html  # paused, with the reason
    assert f"nr. {env['candidate']}" in html and "Geheime Naam" not in html
    assert "te ver weg" in html
    [row] = _figures(html)
    assert row[1:] == ["3", "2", "1", "1"]  # sent, opened (a button pressed), applied, stopped
    with session_scope(env["engine"]) as s:
        assert s.scalar(select(AuditLog).where(AuditLog.action == "alert.list",
                                               AuditLog.actor == "gouda@alerts.example")) is not None
    waiting = client.get("/staff/meldingen", params={"status": "wachtend"}).text
    assert waiting.count('class="badge st-wachtend"') == 1 and 'st-verzonden"' not in waiting
    overview = client.get("/staff/").text
    assert _figures(overview) == _figures(html)


def test_admin_sees_every_region_and_anonymous_users_none(env):
    admin, _ = login(env["base"], "beheer@alerts.example")
    html = admin.get("/staff/meldingen").text
    assert conversation_ref("web-groningen-secret")[:8] in html
    assert len(_figures(html)) == 2
    anonymous = httpx.get(env["base"] + "/staff/meldingen", follow_redirects=False)
    assert anonymous.status_code in (302, 303, 401) and "web-gouda" not in anonymous.text


@pytest.mark.browser
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_alerts_page_has_no_serious_accessibility_violations(env):
    from pathlib import Path

    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium not installed")
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    from tests.staff_support import PASSWORD
    from tests.test_accessibility import BLOCKING, WCAG

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(env["base"] + "/staff/login")
        page.get_by_label("E-mailadres").fill("gouda@alerts.example")
        page.get_by_label("Wachtwoord").fill(PASSWORD)
        page.get_by_role("button", name="Inloggen").click()
        page.wait_for_load_state()
        page.goto(env["base"] + "/staff/meldingen")
        assert page.get_by_role("heading", name=re.compile("Berichten over matches")).is_visible()
        results = Axe().run(page, options=WCAG).response
        browser.close()
    assert [v["id"] for v in results["violations"] if v.get("impact") in BLOCKING] == []
