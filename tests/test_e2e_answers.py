"""The corrected answers, asked in the web chat of the real stack (gateway → trained Rasa model → actions).

The no-riskpolis duration, the LKS, LKV and banenafspraak facts, each with its next step and where to
check (the "Meer weten?" button gives the rest), and a job seeker gets the job seeker's version.
"""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.rasa


class WebChat:
    """One browser session on the gateway's web chat API (its own cookie, so its own conversation)."""

    def __init__(self, base: str) -> None:
        self.client = httpx.Client(base_url=base, timeout=60)
        assert self.client.get("/").status_code == 200  # the page issues the session cookie

    def say(self, text: str) -> list[dict]:
        return self._bot(self.client.post("/api/message", json={"text": text}).json())

    def choose(self, bot: list[dict], title: str) -> list[dict]:
        """Press the button `title` that the bot's last messages offer."""
        button = next(b for m in bot for b in m.get("buttons", []) if b["title"] == title)
        return self.press(button["payload"], title)

    def press(self, key: str, title: str) -> list[dict]:
        """Press a button by the key the gateway gave for it (its payload stays on the server)."""
        return self._bot(self.client.post("/api/message", json={"payload": key, "title": title}).json())

    @staticmethod
    def _bot(reply: dict) -> list[dict]:
        assert not reply.get("failed"), reply
        return [m for m in reply["messages"] if m["author"] == "bot"]


def joined(bot: list[dict]) -> str:
    return " ".join(m.get("text") or "" for m in bot)


def test_employer_gets_the_corrected_facts_with_next_step_and_where_to_check(stack):
    chat = WebChat(stack.gateway)
    chat.choose(chat.say("hallo"), "Ik ben werkgever")  # the role button of the greeting

    core = chat.say("hoe werkt de no-riskpolis")
    assert "U betaalt het loon door" in joined(core) and "Meld de ziekte wel op tijd bij UWV" in joined(core)
    more = chat.choose(core, "Meer weten?")
    assert "zolang het dienstverband duurt" in joined(more) and "5 jaar" in joined(more)
    assert "Kijk op uwv.nl" in joined(more)

    core = chat.say("hoe werkt loonkostensubsidie?")
    assert "vóór de start" in joined(core) and "gemeente" in joined(core)
    more = chat.choose(core, "Meer weten?")
    assert "70 procent van het minimumloon" in joined(more) and "23,5 procent" in joined(more)
    assert "Wajong" in joined(more) and "Kijk bij de gemeente" in joined(more)

    core = chat.say("hoeveel is het loonkostenvoordeel")
    assert "De Belastingdienst betaalt het een jaar later uit" in joined(core)
    more = chat.choose(core, "Meer weten?")
    assert "binnen 3 maanden" in joined(more) and "3 jaar" in joined(more) and "2.000 euro" in joined(more)
    assert "belastingdienst.nl" in joined(more)

    core = chat.say("wat is de banenafspraak")
    assert "125.000" in joined(core) and "doelgroepregister" in joined(core)
    more = chat.choose(core, "Meer weten?")
    assert "beoordelen" in joined(more) and "Kijk op uwv.nl" in joined(more)


def test_a_job_seeker_gets_the_job_seekers_version(stack):
    chat = WebChat(stack.gateway)
    chat.choose(chat.say("hallo"), "Ik zoek werk")
    core = chat.say("hoe werkt loonkostensubsidie?")
    assert "U krijgt loon van het bedrijf" in joined(core)
    assert "U betaalt het loon" not in joined(core)
    more = chat.choose(core, "Meer weten?")
    assert "klantmanager" in joined(more)


def test_without_a_role_the_answer_is_neutral(stack):
    chat = WebChat(stack.gateway)
    core = chat.say("wat is de no-riskpolis")
    assert "De no-riskpolis is een regeling van UWV voor werkgevers" in joined(core)
