"""WCAG 2.0/2.1 A and AA in a real browser: axe-core (shipped inside axe-playwright-python, offline)
in Debian's Chromium, against the real gateway with the staff workspace and a fake Rasa.

Scanned: the web chat empty, after turns with buttons and a bulleted answer, with an error message,
in handoff state, and every staff page reachable from the signed-in admin's pages. Zero serious or
critical violations. Also checked: the chat works by keyboard alone, focus is visible, text reflows at
320 px and at 200 % zoom, prefers-reduced-motion stops the typing animation, bullets are real lists.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
import yaml
from sqlalchemy import select

from placement.db import session_scope
from placement.models import Conversation
from tests.fake_rasa import script
from tests.staff_support import CHROMIUM, CHROMIUM_ARGS, PASSWORD, demo_stack

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
        "resultTypes": ["violations"]}
BLOCKING = {"serious", "critical"}
MAX_STAFF_PAGES = 30


def generated(name: str, role: str = "werkzoekende") -> dict:
    """A response as the real domain has it (the version for `role`), with its buttons."""
    variants = yaml.safe_load((ROOT / "domain" / "answers.yml").read_text(encoding="utf-8"))["responses"][name]
    chosen = next(v for v in variants if any(c.get("value") == role for c in v.get("condition", [])))
    return {"text": chosen["text"], "buttons": chosen.get("buttons", [])}


def answers(message: str) -> list[dict]:
    """The fake Rasa's script, plus two real answers: one with a bulleted list, one with "Meer weten?"."""
    if "cursus" in message:
        return [generated("utter_training")]
    if "polis" in message:
        return [generated("utter_no_risk_policy")]
    return script(message)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is missing (make chromium installs it)")
        pytest.skip("Debian chromium not installed (apt-get install chromium)")
    with demo_stack(tmp_path_factory.mktemp("a11y"), conversations=20) as running:
        running["rasa"].reply = answers
        yield running


@pytest.fixture(scope="module")
def browser(stack):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def blocking_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=WCAG).response
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in results["violations"] if v.get("impact") in BLOCKING]


def send(page, text: str) -> None:
    page.locator("#message").fill(text)
    page.locator("#message").press("Enter")


def test_web_chat_has_no_serious_violations_in_any_state(stack, browser):
    page = browser.new_context().new_page()
    page.goto(stack["base"] + "/")
    log = page.get_by_role("log", name="Berichten")
    log.get_by_role("button", name="Ik zoek werk").wait_for()
    assert blocking_violations(page) == [], "empty chat"

    send(page, "Welke cursus kan ik doen?")
    bullets = log.locator("li.msg ul > li")
    bullets.first.wait_for()
    assert bullets.count() == 3  # the "- " lines of the answer are a real list
    send(page, "Wat is de no-riskpolis?")
    log.get_by_role("button", name="Meer weten?").wait_for()
    assert blocking_violations(page) == [], "after turns with buttons and a list"

    page.locator("#message").fill("")
    page.locator("#message").press("Enter")
    page.get_by_role("alert").filter(has_text="Uw bericht is leeg").wait_for()
    assert blocking_violations(page) == [], "with an error message"

    with session_scope(stack["engine"]) as session:
        newest = session.scalars(select(Conversation).order_by(Conversation.last_message_at.desc())).first()
        newest.handoff_state = "active"
    page.locator("#handoff").wait_for(state="visible", timeout=10_000)
    assert blocking_violations(page) == [], "in handoff state"


def test_web_chat_by_keyboard_alone_with_visible_focus(stack, browser):
    page = browser.new_context().new_page()
    page.goto(stack["base"] + "/")
    page.get_by_role("button", name="Ik zoek werk").wait_for()
    page.keyboard.press("Tab")  # first stop: the skip link, visible when focused
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "message"
    for _ in range(12):  # backwards from the text box to the newest choice
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.textContent") == "Ik zoek werk":
            break
    focused = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert page.evaluate("document.activeElement.textContent") == "Ik zoek werk" and focused != "none"
    page.keyboard.press("Enter")
    page.get_by_text("Wat voor werk zoekt u?").wait_for()
    assert page.evaluate("document.activeElement.id") == "message"  # back in the box after a choice
    page.keyboard.type("Wat is de no-riskpolis?")
    page.keyboard.press("Enter")
    more = page.get_by_role("button", name="Meer weten?")
    more.wait_for()
    for _ in range(12):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.textContent") == "Meer weten?":
            break
    assert page.evaluate("document.activeElement.textContent") == "Meer weten?"
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Meer weten?", disabled=True).wait_for()  # chosen, so history now
    for _ in range(50):
        if stack["rasa"].messages()[-1].startswith("/ask_no_risk_policy"):
            break
        page.wait_for_timeout(100)
    assert stack["rasa"].messages()[-1] == '/ask_no_risk_policy{"answer_part":"meer"}'


@pytest.mark.parametrize("width", [320, 640])  # 320 CSS px (WCAG 1.4.10); 640 = a 1280 px screen at 200 %
def test_web_chat_reflows_without_sideways_scrolling(stack, browser, width):
    page = browser.new_context(viewport={"width": width, "height": 720}).new_page()
    page.goto(stack["base"] + "/")
    page.get_by_role("button", name="Ik zoek werk").wait_for()
    send(page, "Welke cursus kan ik doen?")
    page.locator("li.msg ul > li").first.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate("document.querySelector('#send').getBoundingClientRect().right") <= width


def test_reduced_motion_stops_the_typing_animation(stack, browser):
    dots = "getComputedStyle(document.querySelector('.dots'), '::after').animationName"
    calm = browser.new_context(reduced_motion="reduce").new_page()
    calm.goto(stack["base"] + "/")
    assert calm.evaluate(dots) == "none"
    busy = browser.new_context(reduced_motion="no-preference").new_page()
    busy.goto(stack["base"] + "/")
    assert busy.evaluate(dots) == "blink"


def test_every_staff_page_has_no_serious_violations(stack, browser):
    base = stack["base"]
    page = browser.new_context().new_page()
    page.goto(f"{base}/staff/login")
    assert blocking_violations(page) == [], "login page"
    page.get_by_label("E-mailadres").fill("beheer@werkpunt.example")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(re.compile(r".*/staff/(conversations)?$"))
    todo, seen, failures = [page.url], set(), {}
    while todo and len(seen) < MAX_STAFF_PAGES:
        url = todo.pop(0)
        path = urlparse(url).path
        if path in seen:
            continue
        seen.add(path)
        page.goto(url)
        if found := blocking_violations(page):
            failures[path] = found
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            target = urljoin(url, href)
            target_path = urlparse(target).path
            if (target.startswith(base + "/staff") and not target_path.endswith((".yml", ".csv"))
                    and "logout" not in target_path and target_path not in seen):
                todo.append(target.split("#")[0])
    assert len(seen) >= 6, seen  # the inbox, a transcript, leads, vacancies, handoff, corrections, ...
    assert failures == {}, failures
