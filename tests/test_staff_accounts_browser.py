"""The admin accounts page in headless Chromium (Debian's package): a bad region is refused with a
Dutch message, a good account is made, its one-time password link works in another browser."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from placement.db import make_engine, session_scope
from placement.reference import load_reference
from tests.staff_support import CHROMIUM, CHROMIUM_ARGS, PASSWORD, make_staff, workspace
from werkpunt.database import migrate
from werkpunt.net import free_port

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is missing (make chromium installs it)")
        pytest.skip("Debian chromium not installed (apt-get install chromium)")
    tmp = tmp_path_factory.mktemp("accounts")
    url = f"sqlite:///{tmp}/werkpunt.db"
    migrate(url)
    engine, tracker = make_engine(url), make_engine(f"sqlite:///{tmp}/tracker.db")
    with session_scope(engine) as session:
        load_reference(session)
    make_staff(engine, "beheer@werkpunt.example", "admin", name="Beheerder Werkpunt")
    with workspace(engine, tracker, free_port()) as (server, _app):
        yield server.url
    engine.dispose()
    tracker.dispose()


def test_admin_makes_an_account_and_a_password_link(served):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f"{served}/staff/login")
        page.get_by_label("E-mailadres").fill("beheer@werkpunt.example")
        page.get_by_label("Wachtwoord").fill(PASSWORD)
        page.get_by_role("button", name="Inloggen").click()
        page.get_by_role("link", name="Accounts").click()
        page.wait_for_url(re.compile(r".*/staff/accounts$"))

        form = page.get_by_role("form", name="Nieuw account")
        form.get_by_label("Naam").fill("Fatima el Amrani")
        form.get_by_label("E-mailadres").fill("fatima@werkpunt.example")
        form.get_by_label("Rol").select_option("jobcoach")
        form.get_by_label(re.compile("Regio")).fill("AM20 AM77")
        form.get_by_role("button", name="Account aanmaken").click()
        alert = page.get_by_role("alert")
        assert "Onbekende regiocode: AM77" in alert.inner_text()
        assert page.locator("table.accounts tbody tr").count() == 1  # nothing was added

        form = page.get_by_role("form", name="Nieuw account")
        assert form.get_by_label("Naam").input_value() == "Fatima el Amrani"  # what was typed stays
        form.get_by_label(re.compile("Regio")).fill("AM20")
        form.get_by_role("button", name="Account aanmaken").click()
        page.wait_for_url(re.compile(r".*/staff/accounts/\d+\?melding=account-gemaakt$"))
        assert "Account aangemaakt" in page.get_by_role("status").inner_text()

        page.get_by_role("button", name="Wachtwoordlink maken").click()
        link = page.get_by_label("Wachtwoordlink").input_value()
        assert "/staff/wachtwoord/" in link

        other = browser.new_context().new_page()  # the new colleague's own browser
        other.goto(link)
        other.get_by_label(re.compile("Nieuw wachtwoord")).fill("fatima-haar-wachtwoord")
        other.get_by_label("Nog een keer").fill("fatima-haar-wachtwoord")
        other.get_by_role("button", name="Opslaan").click()
        other.wait_for_url(re.compile(r".*/staff/login\?melding=wachtwoord-gezet$"))
        other.get_by_label("E-mailadres").fill("fatima@werkpunt.example")
        other.get_by_label("Wachtwoord").fill("fatima-haar-wachtwoord")
        other.get_by_role("button", name="Inloggen").click()
        other.wait_for_url(re.compile(r".*/staff/$"))
        assert "Fatima el Amrani" in other.locator(".who").inner_text()
        browser.close()
