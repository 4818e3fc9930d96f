"""No evaluation text, nor a near duplicate of one, is training data (issue 12 item 1).

"Near duplicate" = the same words after folding (placement.text.fold_words: case, accents and
punctuation ignored). Covers the frozen real questions (test.csv and the dev half dev.csv), every
dev extra (tests/nlu_real/dev_extra_*.csv: real quotes collected later, never trained on; every
tests/nlu_real/dev*.csv is a dev file, as in tools/nlu_eval.py) and the old holdout.

A failure never prints a frozen test text: it names the training example (file and line) that
equals one, so it can be removed without reading the test half.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import yaml

from placement.text import fold_words
from settings import ROOT
from tests.test_nlu_data import HOLDOUT, ISSUE_INTENTS, TRAINING, _plain

REAL = ROOT / "tests" / "nlu_real"
COLUMNS = ["text", "intent", "source_url", "source_kind", "note"]
SOURCE_KINDS = {"faq", "forum", "qa", "dataset", "other"}
EXTRA_HEADER = re.compile(r"# dev extra, collected \d{4}-\d{2}-\d{2} by [\w-]+; never copy into nlu/")
DEV_FILES = sorted(REAL.glob("dev*.csv"))
EXTRA_FILES = [path for path in DEV_FILES if path.name != "dev.csv"]


def rows(path: Path) -> list[dict]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return list(csv.DictReader([line for line in lines if not line.startswith("#")]))


def real_texts(name: str) -> list[str]:
    return [row["text"] for row in rows(REAL / f"{name}.csv")]


def training_lines(folder: Path = ROOT / "nlu") -> dict[str, list[str]]:
    """Folded text of every intent example in nlu/ -> where it is ("nlu/x.yml:LINE")."""
    where: dict[str, list[str]] = {}
    for path in sorted(folder.rglob("*.yml")):
        blocks = yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []
        intent_texts = {fold_words(_plain(line.strip()[2:])) for block in blocks if "intent" in block
                        for line in block["examples"].splitlines() if line.strip().startswith("- ")}
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            folded = fold_words(_plain(line.strip()[2:])) if line.strip().startswith("- ") else ""
            if folded in intent_texts:
                where.setdefault(folded, []).append(f"{path.relative_to(folder.parent)}:{number}")
    return where


TRAINING_FOLDED = {fold_words(_plain(e)) for examples in TRAINING.values() for e in examples}
TRAINING_WHERE = training_lines()


def leaked(texts: list[str], training: set[str]) -> list[str]:
    return [text for text in texts if fold_words(text) in training]


def test_fold_words_catches_near_duplicates():
    assert fold_words("Wat is Beschut-werk?") == fold_words("wat is beschut werk")
    assert leaked(["Hoe vraag ik BIJSTAND aan?!", "iets anders"], {"hoe vraag ik bijstand aan"}) == [
        "Hoe vraag ik BIJSTAND aan?!"]


def test_training_lines_point_at_the_example(tmp_path):
    (tmp_path / "x.yml").write_text('version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - Hallo daar!\n'
                                    '    - [Zwolle](location) is mooi\n', encoding="utf-8")
    where = training_lines(tmp_path)
    assert where["hallo daar"] == [f"{tmp_path.name}/x.yml:5"]
    assert "zwolle is mooi" in where


def test_real_questions_are_frozen_and_complete():
    for name in ("dev", "test"):
        first = (REAL / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# frozen 2026-12-02"), name
    assert len(real_texts("dev")) == 196 and len(real_texts("test")) == 183


def test_dev_extras_say_what_they_are_and_use_the_dev_columns():
    assert REAL / "dev.csv" in DEV_FILES
    for path in EXTRA_FILES:
        lines = path.read_text(encoding="utf-8").splitlines()
        assert EXTRA_HEADER.fullmatch(lines[0]), f"{path.name}: first line must be the dev extra comment"
        assert next(csv.reader([lines[1]])) == COLUMNS, path.name
        for number, row in enumerate(rows(path), 1):
            assert row["text"] and row["text"].strip() == row["text"], f"{path.name} row {number}"
            assert row["intent"] in ISSUE_INTENTS, f"{path.name} row {number}: {row['intent']}"
            assert row["source_url"].startswith("http"), f"{path.name} row {number}"
            assert row["source_kind"] in SOURCE_KINDS, f"{path.name} row {number}"


def test_no_dev_text_is_in_the_training_data():
    found = {path.name: leaked([r["text"] for r in rows(path)], TRAINING_FOLDED) for path in DEV_FILES}
    assert not any(found.values()), {name: texts for name, texts in found.items() if texts}


def test_no_frozen_test_text_is_in_the_training_data():
    # Only where the colliding training example is, never the test text itself.
    places = [TRAINING_WHERE.get(fold_words(t), ["nlu/ (line not found)"]) for t in leaked(real_texts("test"),
                                                                                             TRAINING_FOLDED)]
    assert not places, f"{len(places)} frozen test texts are training examples; remove: {places}"


def test_dev_files_do_not_repeat_each_other_or_the_frozen_test_half():
    test_folded = {fold_words(t) for t in real_texts("test")}
    seen: dict[str, str] = {}
    for path in DEV_FILES:
        for number, row in enumerate(rows(path), 1):
            folded = fold_words(row["text"])
            # A dev extra equal to a frozen test row would show that row to whoever reads dev errors.
            assert folded not in test_folded, f"{path.name} row {number} equals a frozen test row: remove it"
            assert folded not in seen, f"{path.name} row {number} repeats {seen.get(folded)}"
            seen[folded] = f"{path.name} row {number}"


def test_no_holdout_message_is_in_the_training_data_after_folding():
    found = [e for examples in HOLDOUT.values() for e in examples if fold_words(_plain(e)) in TRAINING_FOLDED]
    assert not found, found
