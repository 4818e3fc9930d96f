"""The six words of issue 11 through the real web chat stack (gateway → Rasa → action server → the
demo placement database): each finds open work of that occupation near the named place and says why."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from placement.db import make_engine, session_scope
from placement.matching.area import gemeente_name
from placement.matching.distance import km_between
from placement.models import Vacancy

pytestmark = pytest.mark.rasa

WORDS = {"groenvoorziening": "6113", "poetsvrouw": "9112", "kapster": "5141", "orderpicker": "9333",
         "verzorgende": "5321", "buschauffeur": "8331"}


def _place_with_work(stack, isco: str) -> str:
    """A gemeente with open work in this ISCO group in the demo data (every region has some). One-word
    names only: NLU tags "Het Hogeland" as "Hogeland" (a place-extraction gap outside this test)."""
    engine = make_engine(stack.settings.database_url)
    with session_scope(engine) as s:
        codes = s.scalars(select(Vacancy.gemeente_code).where(Vacancy.status == "open", Vacancy.isco_code == isco)
                          .order_by(Vacancy.id)).all()
    engine.dispose()
    return next(code for code in codes if " " not in gemeente_name(code) and "-" not in gemeente_name(code))


@pytest.mark.parametrize("word", list(WORDS))
def test_everyday_word_finds_work_near_the_place_through_the_web_chat(stack, word):
    isco = WORDS[word]
    home = _place_with_work(stack, isco)
    place = gemeente_name(home)
    with httpx.Client(base_url=stack.gateway, timeout=60) as browser:
        assert browser.get("/").status_code == 200  # session cookie
        reply = browser.post("/api/message", json={"text": f"Ik zoek werk als {word} in {place}"}).json()
        payloads = stack.button_payloads(browser)  # the browser gets keys; the payloads stay on the server
    bot = [m for m in reply["messages"] if m["author"] == "bot"]
    text = "\n".join(m.get("text") or "" for m in bot)
    ids = [int(p.split('"vacancy_id":"')[1].split('"')[0]) for p in payloads if "vacancy_id" in p]
    assert ids, text
    assert f"rond {place}, binnen 20 km" in text
    engine = make_engine(stack.settings.database_url)
    with session_scope(engine) as s:
        for vacancy_id in ids:
            vacancy = s.get(Vacancy, vacancy_id)
            assert vacancy.status == "open" and vacancy.isco_code[:2] == isco[:2], (word, vacancy.title)
            assert km_between(home, vacancy.gemeente_code) <= 20
        first = s.get(Vacancy, ids[0])
        assert first.isco_code == isco  # the same occupation group comes first
    engine.dispose()
    assert first.title in text and text.count(" — ") >= len(ids)  # each result line says why
    assert text.count(" uur (") >= len(ids)


def test_about_answer_names_esco(stack):
    replies = stack.chat("e2e-about", "ben jij een robot?")
    assert any("ESCO-classificatie van de Europese Commissie" in (r.get("text") or "") for r in replies)
