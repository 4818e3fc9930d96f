"""Pure functions of the gateway: cleaning user input and splitting long answers for Telegram."""

from __future__ import annotations

import pytest

from bot import text as texts
from bot.rasa_client import RasaUnavailable, parse
from settings import Settings


@pytest.mark.parametrize("raw, clean", [
    ("  hallo  ", "hallo"),
    ("a\x00b\x07c\x1bd\x7fe\x85f", "abcdef"),
    ("links\u202erechts\u2066x\u2069", "linksrechtsx"),
    ("e\u0301", "\u00e9"),  # NFC
    ("\U0001f469\u200d\U0001f527 ok", "\U0001f469\u200d\U0001f527 ok"),  # emoji sequences stay whole
    ("kapot \ud800 teken", "kapot ? teken"),  # a lone surrogate cannot be stored
    ("een\r\ntwee\n\n\n\ndrie\tvier\u00a0vijf", "een\ntwee\n\ndrie vier vijf"),
])
def test_clean(raw, clean):
    assert texts.clean(raw) == clean


def test_check_limits_and_empty():
    settings = Settings(max_message_chars=2000)
    assert texts.check("x" * 2000, settings)[1] is None
    assert "2.000 tekens" in texts.check("x" * 2001, settings)[1]
    assert texts.check("\u200b\x00\ufeff ", settings)[1] == texts.EMPTY


@pytest.mark.parametrize("text", [
    "Zin. " * 3000,
    "\n\n".join(["Alinea " + "woord " * 300] * 10),
    "x" * 9000,  # no break at all: a hard cut
    "\U0001f600" * 5000,  # each emoji counts as 2 in Telegram's UTF-16 length
])
def test_split_stays_below_the_telegram_limit_and_keeps_the_text(text):
    parts = texts.split(text)
    assert len(parts) > 1 and all(0 < texts.utf16_len(p) <= 4000 for p in parts)
    assert "".join(parts).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")


def test_split_prefers_paragraphs():
    paragraph = "woord " * 500
    parts = texts.split(f"{paragraph}\n\n{paragraph}\n\n{paragraph}")
    assert all(p.strip() == paragraph.strip() or "\n\n" in p for p in parts)


def test_parse_hides_custom_json_and_keeps_buttons():
    answer = parse([{"text": "Klaar."}, {"custom": {"werkpunt_event": "data_deleted"}},
                    {"text": "", "buttons": [{"title": "Ja", "payload": "/affirm"}, {"title": "kapot"}]},
                    {"image": "https://example.org/x.png"}])
    assert answer.events == {"data_deleted"}
    assert [(r.text, [b.payload for b in r.buttons]) for r in answer.replies] == [("Klaar.", []), ("", ["/affirm"])]
    with pytest.raises(RasaUnavailable):
        parse({"error": "model not ready"})
