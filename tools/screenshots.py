"""Screenshots for docs/staff-guide.md, taken with Playwright and Debian's chromium against demo data.

    .venv/app/bin/python -m tools.screenshots [docs/img]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from sqlalchemy import insert

from placement.models import Lead, Vacancy
from tests.staff_support import CHROMIUM, CHROMIUM_ARGS, PASSWORD, demo_stack, request_handoff

ROOT = Path(__file__).resolve().parent.parent


def _leads(engine) -> None:
    rows = [
        dict(kind="callback", topic="Vragen over loonkostensubsidie", region_code="AM20", channel="web",
             contact_name="M. de Boer", contact_phone="+31612345678", preferred_moment="dinsdag 10:00"),
        dict(kind="vacancy_intake", topic="Magazijnmedewerker 32 uur", region_code="AM20", channel="telegram",
             contact_name="Bakkerij De Vries", contact_email="info@bakkerijdevries.example"),
        dict(kind="handoff", topic="Wil een medewerker spreken", region_code="AM20", channel="web",
             status="opgepakt"),
    ]
    with engine.begin() as conn:
        for row in rows:  # one by one: the rows have different columns
            conn.execute(insert(Lead).values(**row))
        for title, gemeente, low, high in (("Magazijnmedewerker", "GM0513", 24, 32),
                                           ("Medewerker bediening", "GM0513", 12, 20)):
            conn.execute(insert(Vacancy).values(employer_id=1, title=title, hours_min=low, hours_max=high,
                                                gemeente_code=gemeente, status="concept", origin="chat"))


def take(out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    shots: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp, demo_stack(Path(tmp), conversations=400) as stack, \
            sync_playwright() as p:
        _leads(stack["engine"])
        base = stack["base"]
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 860}, locale="nl-NL",
                                timezone_id="Europe/Amsterdam")

        def shot(name: str, full: bool = False) -> None:
            path = out / f"staff-{name}.png"
            page.screenshot(path=str(path), full_page=full)
            shots.append(path)

        page.goto(f"{base}/staff/login")
        page.get_by_label("E-mailadres").fill("sanne@werkpunt.example")
        shot("login")
        page.get_by_label("Wachtwoord").fill(PASSWORD)
        page.get_by_role("button", name="Inloggen").click()
        page.wait_for_url("**/staff/")
        shot("dashboard", full=True)

        page.goto(f"{base}/staff/conversations?laag=1")
        shot("inbox")
        page.locator("table.inbox tbody tr").first.get_by_role("link").click()
        page.locator("li.msg.user summary").first.click()
        shot("transcript")

        user = browser.new_page(viewport={"width": 480, "height": 760}, locale="nl-NL")
        user.goto(f"{base}/")
        user.locator("#message").fill("Ik wil een medewerker spreken")
        user.locator("#send").click()
        user.get_by_text("Ik zoek een collega voor u.").wait_for()
        request_handoff(stack["engine"], "AM20")
        page.goto(f"{base}/staff/handoff")
        shot("handoff-queue")
        page.locator("table.queue tbody tr").last.get_by_role("button", name="Overnemen").click()
        page.get_by_label("Uw antwoord").fill("Goedemiddag, u spreekt met Sanne. Waar zoekt u werk?")
        page.get_by_role("button", name="Versturen").click()
        user.locator("li.msg--staff", has_text="Waar zoekt u werk?").wait_for()
        user.locator("#message").fill("In de zorg, in Gouda. 24 uur per week.")
        user.locator("#send").click()
        page.locator("section.live li.msg.user", has_text="In de zorg").wait_for(timeout=10_000)
        shot("handoff-live")
        path = out / "staff-webchat-reply.png"
        user.screenshot(path=str(path))
        shots.append(path)

        page.goto(f"{base}/staff/leads")
        shot("leads")
        page.get_by_role("button", name="Uitloggen").click()

        page.goto(f"{base}/staff/login")
        page.get_by_label("E-mailadres").fill("beheer@werkpunt.example")
        page.get_by_label("Wachtwoord").fill(PASSWORD)
        page.get_by_role("button", name="Inloggen").click()
        page.wait_for_url("**/staff/")
        page.goto(f"{base}/staff/vacancies?herkomst=chat")
        shot("vacancies")
        page.goto(f"{base}/staff/audit")
        shot("audit")
        browser.close()
    return shots


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "img"
    for written in take(target):
        print(written.relative_to(ROOT) if written.is_relative_to(ROOT) else written)
