"""Match alerts in the web chat (issue 16): shown on return as bot messages with keyed buttons, never
twice, counted for the page title; the buttons reach Rasa as the contract's payloads. Real HTTP to the
gateway (fake Rasa), both engines; the title count in headless Chromium as well."""

from __future__ import annotations

import os
import shutil

import httpx
import pytest
from itsdangerous import URLSafeSerializer

from bot.webchat import COOKIE
from placement.alerts import consent
from placement.alerts.models import Alert
from placement.db import session_scope
from tests import alerts_support as sup
from tests.fake_rasa import FakeRasa, gateway_settings, running_gateway, serve

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def vacancies(engine):
    with session_scope(engine) as s:
        boss = sup.employer(s)
        ids = [sup.vacancy(s, "schoonmaker", sup.ZWOLLE, employer_row=boss, publish=False).id for _ in range(3)]
        return ids + [sup.vacancy(s, "schoonmaker", sup.ZWOLLE, status="closed", employer_row=boss, publish=False).id]


def _conversation(gateway, cookies) -> str:
    return URLSafeSerializer(gateway.secret, salt="werkpunt-webchat").loads(cookies[COOKIE])


def waiting_alert(engine, conversation: str, vacancy_id: int) -> int:
    """A match the alert job left waiting for a web chat user (what placement/alerts/matcher.py inserts)."""
    with session_scope(engine) as s:
        sub = consent.current_subscription(s, conversation, "werkzoekende") or consent.subscribe(
            s, conversation_id=conversation, channel="web", kind="werkzoekende", job_title="schoonmaker",
            **{k: v for k, v in sup.esco_fields("schoonmaker").items()}, gemeente_code=sup.ZWOLLE)
        row = Alert(subscription_id=sub.id, pair_key=f"w:{conversation}:{vacancy_id}", vacancy_id=vacancy_id,
                    reason="Zelfde beroep, in Zwolle, 24-32 uur")
        s.add(row)
        s.flush()
        return row.id


async def test_alerts_on_return_with_buttons_count_and_no_repeats(engine, vacancies):
    rasa = FakeRasa()
    async with serve(rasa.app) as rasa_url, running_gateway(gateway_settings(rasa_url), engine) as gw:
        async with httpx.AsyncClient(base_url=gw.url, timeout=15) as client:
            await client.get("/")
            await client.post("/api/message", json={"start": True})
            conversation = _conversation(gw.gateway, client.cookies)
            first = waiting_alert(engine, conversation, vacancies[0])
            closed = waiting_alert(engine, conversation, vacancies[3])  # closed before the alert job's next round

            back = (await client.get("/api/history")).json()
            alerts = [m for m in back["messages"] if m["text"].startswith("Er is nieuw werk dat bij u past.")]
            assert len(alerts) == 1 and back["alerts_unread"] == 1
            with session_scope(engine) as s:
                assert s.get(Alert, closed).status == "verlopen"  # never shown
            assert "Waarom dit bij u past" in alerts[0]["text"]
            assert [b["title"] for b in alerts[0]["buttons"]] == ["Reageer", "Niet voor mij", "Stop berichten"]
            assert all("/" not in b["payload"] for b in alerts[0]["buttons"])  # keys; payloads stay on the server
            again = (await client.get("/api/history")).json()
            assert len([m for m in again["messages"] if m["text"].startswith("Er is nieuw werk")]) == 1

            last = again["messages"][-1]["id"]
            waiting_alert(engine, conversation, vacancies[1])  # matched while the page is open
            polled = (await client.get(f"/api/updates?after={last}")).json()
            assert [m["author"] for m in polled["messages"]] == ["bot"] and polled["alerts_unread"] == 2

            react = alerts[0]["buttons"][0]
            answer = await client.post("/api/message", json={"payload": react["payload"], "title": react["title"]})
            assert answer.status_code == 200
            assert rasa.messages()[-1] == f'/alert_react{{"alert_id":"{first}"}}'
            with session_scope(engine) as s:  # what action_alert_react does first (tested with the action server)
                consent.react(s, conversation, first, "geopend")
            assert (await client.get("/api/history")).json()["alerts_unread"] == 1

        async with httpx.AsyncClient(base_url=gw.url, timeout=15) as stranger:  # another browser sees nothing
            await stranger.get("/")
            fresh = (await stranger.get("/api/history")).json()
            assert fresh["messages"] == [] and fresh["alerts_unread"] == 0


@pytest.mark.browser
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_title_shows_the_count_in_the_browser(engine, vacancies):
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("chromium is missing; `make chromium` installs Debian's package")
        pytest.skip("chromium not installed (make chromium)")
    from playwright.async_api import async_playwright, expect

    rasa = FakeRasa()
    async with serve(rasa.app) as rasa_url, running_gateway(gateway_settings(rasa_url), engine) as gw:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = await browser.new_page()
            await page.goto(gw.url + "/")
            log = page.get_by_role("log", name="Berichten")
            await expect(log).to_contain_text("digitale assistent")
            cookies = {c["name"]: c["value"] for c in await page.context.cookies()}
            conversation = _conversation(gw.gateway, cookies)
            alert_id = waiting_alert(engine, conversation, vacancies[2])
            await page.reload()
            await expect(log).to_contain_text("Er is nieuw werk dat bij u past.")
            await expect(page).to_have_title("(1) Chat met het Werkgeversservicepunt")
            await page.get_by_role("button", name="Reageer").last.click()
            await expect(log).to_contain_text("U zei:")
            assert rasa.messages()[-1] == f'/alert_react{{"alert_id":"{alert_id}"}}'
            with session_scope(engine) as s:
                consent.react(s, conversation, alert_id, "geopend")
            await expect(page).to_have_title("Chat met het Werkgeversservicepunt", timeout=20000)
            await browser.close()
