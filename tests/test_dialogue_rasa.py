"""Rasa itself checks the dialogue: `rasa data validate`, and the end-to-end test stories in
tests/stories/ against the trained model (`rasa test core --e2e --fail-on-prediction-errors`).

`rasa test core` predicts; it never runs custom actions, so no action server, database or network
is needed: slot events a custom action would return are written in the stories where the dialogue
depends on them. With `--e2e` every user text goes through NLU and must give the story's intent and
entities. Form answers without an `intent:` are filled in from the model first (see test_forms.yml);
tests/rasa_story_test.py does both with one model load, through the function `rasa test core` calls.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from settings import ROOT, get_settings
from werkpunt.rasa_env import RASA_BIN, model_path, rasa_environ

pytestmark = pytest.mark.rasa

STORIES = ROOT / "tests" / "stories"
RASA_PYTHON = ROOT / ".venv" / "rasa" / "bin" / "python"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Responses Rasa uses without a story step: form questions, the fallback loop, our session start.
EXPECTED_WARNINGS = [
    r"The utterance 'utter_ask_[a-z_]+' is not used in any story or rule\.",
    r"The utterance 'utter_(default|ask_rephrase|privacy_notice)' is not used in any story or rule\.",
    # Referral texts for questions inside a form (actions/forms.py ANSWERS; outside, action_warm_referral).
    r"The utterance 'utter_(debt_help|benefit_entitlement)' is not used in any story or rule\.",
]


def rasa(*args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run([str(RASA_BIN), *args], cwd=ROOT, env=rasa_environ(get_settings()),
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def model() -> Path:
    target = model_path()
    if not target.exists():
        from werkpunt.training import ensure_model

        ensure_model(get_settings())
    return target


def test_rasa_data_validate_passes_without_unexpected_warnings():
    result = rasa("data", "validate", "--domain", "domain", "--data", "nlu", "--config", "config.yml")
    output = ANSI.sub("", result.stdout + result.stderr)
    assert result.returncode == 0, output[-4000:]
    warnings = [w.strip() for w in re.findall(r"UserWarning: (.+)", output)]
    unexpected = [w for w in warnings if not any(re.fullmatch(p, w) for p in EXPECTED_WARNINGS)]
    assert not unexpected, unexpected
    assert "No story structure conflicts found" in output


def test_end_to_end_stories_pass(model, tmp_path):
    result = subprocess.run([str(RASA_PYTHON), str(ROOT / "tests" / "rasa_story_test.py"), str(model), str(STORIES),
                             str(tmp_path)], cwd=ROOT, env=rasa_environ(get_settings()), capture_output=True,
                            text=True, timeout=900)
    output = ANSI.sub("", result.stdout + result.stderr)
    line = next((l for l in result.stdout.splitlines() if l.startswith("WERKPUNT_RESULT:")), None)
    assert line, output[-6000:]
    summary = json.loads(line.removeprefix("WERKPUNT_RESULT:"))
    assert "failure" not in summary, summary.get("failure")
    assert result.returncode == 0, output[-6000:]
    # Rasa logs "Correct: n / total" per level; a run that read no stories would also "pass".
    total = sum(len(yaml.safe_load(p.read_text(encoding="utf-8"))["stories"]) for p in STORIES.glob("*.yml"))
    levels = dict((level, (int(ok), int(n))) for level, ok, n in re.findall(
        r"Evaluation Results on (\w+) level:\s+.*?Correct:\s+(\d+) / (\d+)", output, re.S))
    assert summary["stories"] == total and levels["CONVERSATION"] == (total, total), output[-6000:]
    assert summary["accuracy"] == 1.0 and summary["actions"] > 3 * total


@pytest.fixture(scope="module")
def live(stack):
    """The real thing, shared with the other stack tests (tests/conftest.py): action server and Rasa
    (through Werkpunt's token-checking channel) with fresh databases."""
    return stack


def chat(live, sender: str, text: str) -> list[dict]:
    return live.chat(sender, text)


def texts(messages: list[dict]) -> str:
    return " | ".join(m.get("text") or "" for m in messages)


def unclear(live, count: int) -> list[str]:
    """Messages the model is unsure about right now (see tests/unclear_messages.txt)."""
    lines = (ROOT / "tests" / "unclear_messages.txt").read_text(encoding="utf-8").splitlines()
    candidates = [l.strip() for l in lines if l.strip()[:1] not in ("", "#")]
    found = [t for t in candidates if live.parse(t)["intent"]["name"] == "nlu_fallback"]
    assert len(found) >= count, "too few unclear messages fall back: add some to tests/unclear_messages.txt"
    return found[:count]


def test_live_two_stage_fallback(live):
    vague, vaguer = unclear(live, 2)
    first = chat(live, "live-fallback", vague)
    assert "bewaar dit gesprek" in texts(first)  # first contact: the privacy notice
    buttons = [b for m in first for b in m.get("buttons", [])]
    assert len(buttons) == 3 and buttons[-1] == {"title": "Iets anders", "payload": "/out_of_scope"}
    assert "anders zeggen" in texts(chat(live, "live-fallback", "/out_of_scope"))  # utter_ask_rephrase
    again = chat(live, "live-fallback", vaguer)
    assert any(b["payload"] == "/out_of_scope" for m in again for b in m.get("buttons", []))
    last = chat(live, "live-fallback", "/out_of_scope")
    assert {b["payload"] for m in last for b in m.get("buttons", [])} == {"/request_human", "/request_callback"}


def test_live_fallback_choice_answers_the_chosen_question(live):
    options = chat(live, "live-choice", unclear(live, 1)[0])
    payload = next(b["payload"] for m in options for b in m.get("buttons", []) if b["payload"] != "/out_of_scope")
    answer = chat(live, "live-choice", payload)
    assert answer and "Ik weet niet zeker" not in texts(answer)


def test_live_registration_escape_hatch(live):
    sender = "live-escape"
    chat(live, sender, "ik wil me inschrijven")
    assert "verder gaan" in texts(chat(live, sender, "stoppen"))
    assert "Wat voor werk zoekt u" in texts(chat(live, sender, "ja"))
    for answer in ("kok", "Zwolle", "24 uur"):
        chat(live, sender, answer)
    refused = texts(chat(live, sender, "nee"))
    assert "Zonder uw toestemming" in refused and "verder gaan" in refused
    assert "Er is niets verstuurd" in texts(chat(live, sender, "nee"))
    tracker = live.tracker(sender)
    assert tracker["active_loop"] == {} or tracker["active_loop"].get("name") is None
    assert tracker["slots"]["job_title"] is None and tracker["slots"]["location"] is None


def test_live_callback_after_a_question_keeps_the_topic(live):
    sender = "live-callback"
    offer = chat(live, sender, "hoe werkt de no-riskpolis?")
    assert "UWV" in texts(offer) and any(m.get("buttons") for m in offer)
    assert "Wat is uw naam" in texts(chat(live, sender, "ja"))
    events = live.tracker(sender)["events"]
    assert {"name": "callback_topic", "value": "no-riskpolis"}.items() <= next(
        e for e in events if e.get("event") == "slot" and e.get("name") == "callback_topic").items()
