"""The web chat end to end in headless Chromium (Debian's package, driven by Playwright).

Open the page, press a button, send a message by keyboard, see the typing indicator, reload and
see the same history. The gateway and a fake Rasa run over real HTTP in the test's event loop.
"""

from __future__ import annotations

import asyncio
import os
import shutil

import pytest

from tests.fake_rasa import FakeRasa, gateway_settings, running_gateway, serve

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]


@pytest.fixture
def chromium_path() -> str:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("chromium is missing; `make chromium` installs Debian's package")
        pytest.skip("chromium not installed (make chromium)")
    return CHROMIUM


async def test_chat_in_the_browser(engine, chromium_path):
    from playwright.async_api import async_playwright, expect

    rasa = FakeRasa()
    async with serve(rasa.app) as rasa_url, running_gateway(gateway_settings(rasa_url), engine) as gw:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium_path, args=ARGS)
            page = await browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            await page.goto(gw.url + "/")

            # Opening the page starts the conversation: greeting, privacy notice, role buttons.
            log = page.get_by_role("log", name="Berichten")
            await expect(log).to_contain_text("digitale assistent")
            await expect(log).to_contain_text("90 dagen")
            employer = page.get_by_role("button", name="Ik ben werkgever")
            await expect(employer).to_be_enabled()
            assert await page.locator("html").get_attribute("lang") == "nl"
            box = page.get_by_label("Uw bericht")
            await expect(box).to_be_visible()

            # A button works from the keyboard; its title shows as the user's message.
            await employer.focus()
            await page.keyboard.press("Enter")
            await expect(log).to_contain_text("vacature melden")
            assert rasa.messages()[-1] == "/identify_as_employer"
            await expect(employer).to_be_disabled()  # an old choice cannot be made twice
            await expect(box).to_be_focused()

            # Typing: Enter sends; the typing indicator shows while Rasa works.
            rasa.gate = asyncio.Event()
            await box.fill("Ik zoek werk als schilder")
            await box.press("Enter")
            typing = page.locator("#typing")
            await expect(typing).to_be_visible()
            await expect(page.get_by_role("status")).to_have_text("De assistent typt…")
            rasa.gate.set()
            await expect(log).to_contain_text("U zei: Ik zoek werk als schilder")
            await expect(typing).to_be_hidden()
            await expect(box).to_have_value("")

            # An empty message gets a clear, announced error; nothing is sent.
            sent = len(rasa.requests)
            await box.press("Enter")
            await expect(page.get_by_role("alert")).to_contain_text("Uw bericht is leeg")
            assert len(rasa.requests) == sent

            # Reload: the same history, in order, without a second greeting.
            before = await log.locator("li").all_inner_texts()
            await page.reload()
            await expect(log.locator("li")).to_have_count(len(before))
            assert await log.locator("li").all_inner_texts() == before
            assert rasa.messages().count("/greet") == 1
            assert errors == []
            await browser.close()
