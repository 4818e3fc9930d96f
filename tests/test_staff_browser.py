"""The staff workspace in headless Chromium (Debian's package), against demo data and the real gateway.

One journey: sign in, filter the inbox, open a transcript with `<script>` (shown as text), correct an
intent and export it, take a handoff that a web chat user asked for, reply (the reply arrives in the
user's web chat), read the user's answer, and hand back (Rasa gets pause and resume).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.staff_support import CHROMIUM, CHROMIUM_ARGS, PASSWORD, XSS, demo_stack, request_handoff

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is missing (make chromium installs it)")
        pytest.skip("Debian chromium not installed (apt-get install chromium)")
    with demo_stack(tmp_path_factory.mktemp("stack")) as running:
        yield running


@pytest.fixture(scope="module")
def browser(stack):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def sign_in(page, base: str, email: str = "sanne@werkpunt.example") -> None:
    page.goto(f"{base}/staff/conversations")
    assert "/staff/login" in page.url  # not signed in: the login page, not the inbox
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(re.compile(r".*/staff/conversations$"))


def test_staff_journey(stack, browser, tmp_path):
    base = stack["base"]
    staff = browser.new_context(accept_downloads=True)
    page = staff.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.accept()))

    # 1. sign in (lands on the page asked for) and filter the inbox
    sign_in(page, base)
    assert page.get_by_role("heading", name=re.compile("Gesprekken")).is_visible()
    all_rows = page.locator("table.inbox tbody tr").count()
    page.get_by_label(re.compile("Lage zekerheid")).check()
    page.get_by_label("Kanaal").select_option("web")
    page.get_by_role("button", name="Filteren").click()
    page.wait_for_url(re.compile(r".*laag=1.*"))
    assert "kanaal=web" in page.url
    rows = page.locator("table.inbox tbody tr")
    assert 0 < rows.count() <= all_rows
    assert all(rows.nth(i).locator("text=Web").count() for i in range(rows.count()))
    assert all(rows.nth(i).locator(".badge.warn").count() for i in range(rows.count()))

    # 2. the newest low-confidence conversation holds a <script>: it is shown as text, never run
    rows.first.get_by_role("link").click()
    page.wait_for_url(re.compile(r".*/staff/conversations/[0-9a-f]{20}$"))
    message = page.locator("li.msg.user .text").first
    assert message.inner_text() == XSS
    assert page.evaluate("document.querySelectorAll('script').length") == 1  # only staff.js
    assert dialogs == []  # no alert() ran

    # 3. correct the intent and export it as NLU training data
    item = page.locator("li.msg.user").first
    item.locator("summary", has_text="Corrigeren").click()
    item.get_by_label("Juiste intentie").select_option("search_jobs")
    item.get_by_label(re.compile("Entiteiten")).fill("job_title: schilder\nlocation: Gouda")
    item.get_by_role("button", name="Correctie opslaan").click()
    assert page.get_by_text("Correctie opgeslagen.").is_visible()
    assert "Gecorrigeerd naar search_jobs" in item.inner_text()
    page.get_by_role("link", name="Correcties", exact=True).click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Exporteren als NLU (YAML)").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert "- intent: search_jobs" in exported
    assert "als [schilder](job_title) in [Gouda](location)" in exported

    # 4. a job seeker in the web chat asks for a person
    user = browser.new_context().new_page()
    user.goto(f"{base}/")
    user.locator("#message").fill("Ik wil een medewerker spreken")
    user.locator("#send").click()
    user.get_by_text("Ik zoek een collega voor u.").wait_for()
    request_handoff(stack["engine"], "AM20")

    # 5. the staff member takes it from the queue, replies, reads the answer, hands back
    page.get_by_role("link", name="Overnemen").first.click()
    queue_rows = page.locator("table.queue tbody tr")
    queue_rows.last.get_by_role("button", name="Overnemen").click()  # the queue is oldest first
    page.wait_for_url(re.compile(r".*/staff/handoff/[0-9a-f]{20}\?melding=overgenomen$"))
    assert page.get_by_text("Ik wil een medewerker spreken").is_visible()
    user.get_by_text("U praat nu met Sanne").wait_for()  # the greeting reached the web chat
    page.get_by_label("Uw antwoord").fill("Goedemiddag, u spreekt met Sanne. Waar zoekt u werk?")
    page.get_by_role("button", name="Versturen").click()
    assert page.get_by_text("Bericht verstuurd.").is_visible()
    user.locator("li.msg--staff", has_text="Waar zoekt u werk?").wait_for(timeout=10_000)

    user.locator("#message").fill("In de zorg, in Gouda")
    user.locator("#send").click()
    page.locator("section.live li.msg.user", has_text="In de zorg, in Gouda").wait_for(timeout=10_000)  # polled
    assert [m for m in stack["rasa"].messages() if "In de zorg" in m] == []  # the bot stayed silent

    page.get_by_role("button", name="Teruggeven aan de assistent").click()
    page.wait_for_url(re.compile(r".*melding=teruggegeven$"))
    assert dialogs == ["Het gesprek teruggeven aan de assistent?"]
    assert [e for _, e in stack["rasa"].tracker_events][-2:] == ["pause", "resume"]
    assert page.get_by_text("Assistent hervat").is_visible()
    user.get_by_text("U praat weer met de digitale assistent").wait_for()

    # 6. sign out: the workspace is closed again
    page.get_by_role("button", name="Uitloggen").click()
    assert page.get_by_text("U bent uitgelogd.").is_visible()
    page.goto(f"{base}/staff/conversations")
    assert "/staff/login" in page.url
    staff.close()
