"""No evaluation text, nor a near duplicate of one, is training data (issue 12 item 1).

"Near duplicate" = the same words after folding (placement.text.fold_words: case, accents and
punctuation ignored). Covers the frozen real questions (both halves: the dev half is for reading
errors, not for copying) and the old holdout.
"""

from __future__ import annotations

import csv

from placement.text import fold_words
from settings import ROOT
from tests.test_nlu_data import HOLDOUT, TRAINING, _plain

REAL = ROOT / "tests" / "nlu_real"


def real_texts(name: str) -> list[str]:
    lines = (REAL / f"{name}.csv").read_text(encoding="utf-8").splitlines()
    return [row["text"] for row in csv.DictReader([line for line in lines if not line.startswith("#")])]


TRAINING_FOLDED = {fold_words(_plain(e)) for examples in TRAINING.values() for e in examples}


def test_fold_words_catches_near_duplicates():
    assert fold_words("Wat is Beschut-werk?") == fold_words("wat is beschut werk")


def test_real_questions_are_frozen_and_complete():
    for name in ("dev", "test"):
        first = (REAL / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# frozen 2026-12-02"), name
    assert len(real_texts("dev")) == 196 and len(real_texts("test")) == 183


def test_no_real_question_is_in_the_training_data():
    leaked = [t for name in ("dev", "test") for t in real_texts(name) if fold_words(t) in TRAINING_FOLDED]
    assert not leaked, leaked


def test_no_holdout_message_is_in_the_training_data_after_folding():
    leaked = [e for examples in HOLDOUT.values() for e in examples if fold_words(_plain(e)) in TRAINING_FOLDED]
    assert not leaked, leaked
