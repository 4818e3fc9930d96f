"""Gemeente names of several words, or with an article, are extracted whole as `location` (issue 12).

"Het Hogeland" cut to "Hogeland", or "Alphen aan den Rijn" to "Alphen", would send the search or the
beschut-werk route to the wrong place (or nowhere). The real model parses sentences that are in no
training or evaluation file (tests/test_nlu_eval_leak.py's folding: checked below), through the running
stack's Rasa, and every extracted value must be the gemeente's official name (after the synonym mapper)
as placement's reference data spells it.
"""

from __future__ import annotations

import pytest

from placement.reference import gemeenten
from placement.text import fold_words
from tests.test_nlu_data import HOLDOUT, TRAINING, _plain

pytestmark = pytest.mark.rasa

# (message, the text span the user typed, the gemeente it must resolve to)
CASES = [
    ("is er werk als kok in Het Hogeland?", "Het Hogeland", "Het Hogeland"),
    ("ik zoek een baan in De Bilt voor 24 uur", "De Bilt", "De Bilt"),
    ("vacatures voor een chauffeur in Den Haag", "Den Haag", "'s-Gravenhage"),
    ("heeft u werk in Súdwest-Fryslân voor mij", "Súdwest-Fryslân", "Súdwest-Fryslân"),
    ("ik zoek werk als schoonmaker in Alphen aan den Rijn", "Alphen aan den Rijn", "Alphen aan den Rijn"),
    ("wij zoeken een monteur in Bergen op Zoom", "Bergen op Zoom", "Bergen op Zoom"),
    ("ik woon in 's-Hertogenbosch en zoek werk", "s-Hertogenbosch", "'s-Hertogenbosch"),
]


def test_cases_are_not_training_data():
    training = {fold_words(_plain(e)) for examples in TRAINING.values() for e in examples}
    holdout = {fold_words(_plain(e)) for examples in HOLDOUT.values() for e in examples}
    assert not [text for text, _, _ in CASES if fold_words(text) in training | holdout]
    names = {g.name for g in gemeenten()}
    assert {gemeente for _, _, gemeente in CASES} <= names


@pytest.mark.parametrize("text,span,gemeente", CASES, ids=[c[1] for c in CASES])
def test_multi_word_gemeente_is_one_location(stack, text, span, gemeente):
    entities = [e for e in stack.parse(text)["entities"] if e["entity"] == "location"]
    assert [(text[e["start"]:e["end"]], e["value"]) for e in entities] == [(span, gemeente)], entities
