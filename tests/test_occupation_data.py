"""Migration 0010 maps rows written before it onto ESCO/ISCO (SQLite and PostgreSQL), and the curated
occupation data files and the sourced dev files are well formed (no database needed for those)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from placement.db import make_engine, session_scope
from placement.occupation_data import DATA, esco_occupations, isco_groups, synonyms
from placement.reference import load_reference
from placement.text import fold_words
from werkpunt.database import alembic_config, migrate


def test_existing_rows_get_esco_uri_and_isco_code(db_url):
    command.upgrade(alembic_config(db_url), "0007")
    engine = make_engine(db_url)
    with session_scope(engine) as s:
        load_reference(s)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO employer (id, name, gemeente_code, created_at) VALUES (1, 'X', 'GM0193', :t)"),
                     {"t": dt.datetime(2026, 1, 1)})
        for vid, occ in ((1, "hovenier"), (2, "verzorgende"), (3, None)):
            conn.execute(text(
                "INSERT INTO vacancy (id, employer_id, title, occupation, description, hours_min, hours_max, "
                "gemeente_code, skills, contract_type, banenafspraak, beschut_werk, status, origin, created_at) "
                "VALUES (:id, 1, 'T', :occ, '', 8, 16, 'GM0193', '', 'vast', false, false, 'open', 'staff', :t)"),
                {"id": vid, "occ": occ, "t": dt.datetime(2026, 1, 1)})
        conn.execute(text("INSERT INTO candidate (id, channel_key, occupation, interests, skills, active, created_at) "
                          "VALUES (1, 'k1', 'schoonmaker', '', '', true, :t)"), {"t": dt.datetime(2026, 1, 1)})
    migrate(db_url)
    with engine.connect() as conn:
        found = conn.execute(text("SELECT id, esco_uri, isco_code FROM vacancy"))
        rows = {r.id: (r.esco_uri, r.isco_code) for r in found}
        cand = conn.execute(text("SELECT esco_uri, isco_code FROM candidate")).one()
    assert rows[1] == ("http://data.europa.eu/esco/occupation/e7970c7a-7769-4002-87d3-0a8ea94fdd6f", "6113")
    assert rows[2] == (None, "5321")  # an ISCO group only: ESCO has no single 'verzorgende'
    assert rows[3] == (None, None)
    assert cand.isco_code == "9112" and cand.esco_uri.startswith("http://data.europa.eu/esco/occupation/")
    engine.dispose()


DEV = Path(__file__).resolve().parent / "occupation_dev"
CATEGORIES = {"colloquial", "female", "plural", "typo", "field", "compound", "english", "modifier", "plain"}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


def _fold(text: str) -> str:
    return fold_words(text.replace("’", "'")).replace(" ", "")


def test_every_synonym_target_exists():
    groups = isco_groups()
    preferred = {o.label.lower() for o in esco_occupations()}
    full = {"/".join(o.labels[:o.preferred_forms]).lower() for o in esco_occupations()}
    by_group = {(o.label.lower(), o.isco) for o in esco_occupations()}
    bad = []
    for syn in synonyms():
        assert syn.word and syn.target, syn
        if syn.target.isdigit():
            ok = syn.target in groups
        elif "@" in syn.target:
            label, _, isco = syn.target.partition("@")
            ok = (label.lower(), isco) in by_group
        else:
            ok = syn.target.lower() in preferred or syn.target.lower() in full
        if not ok:
            bad.append((syn.word, syn.target))
    assert bad == []


def test_synonym_words_that_fold_alike_agree():
    """The index keeps one entry per folded word; two rows for it must not point different ways."""
    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for syn in synonyms():
        key = _fold(syn.word)
        if key in seen and seen[key][1] != syn.target:
            clashes.append((seen[key], (syn.word, syn.target)))
        seen.setdefault(key, (syn.word, syn.target))
    assert clashes == []


def test_english_words_are_unique_and_translated():
    rows = _rows(DATA / "occupation_english.csv")
    words = [fold_words(r["english"]) for r in rows]
    assert all(words) and all(fold_words(r["dutch"]) for r in rows)
    assert len(words) == len(set(words))


@pytest.mark.parametrize("name, at_least, others", [
    ("job_titles_dev_sourced.csv", 250, ("job_titles_dev.csv",)),
    ("job_titles_dev_sourced_heldout.csv", 95, ("job_titles_dev.csv", "job_titles_dev_sourced.csv")),
])
def test_sourced_dev_files_are_well_formed(name, at_least, others):
    path = DEV / name
    with path.open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == ["typed", "isco4", "category", "source", "note"]
    rows = _rows(path)
    assert len(rows) >= at_least
    groups = isco_groups()
    for r in rows:
        assert r["typed"].strip() and len(r["isco4"]) == 4 and r["isco4"] in groups, r
        assert r["category"] in CATEGORIES, r
        assert r["source"].startswith(("http://", "https://")), r
    typed = [_fold(r["typed"]) for r in rows]
    assert len(typed) == len(set(typed))
    for other in others:  # no title shared with another dev file
        assert not set(typed) & {_fold(r["typed"]) for r in _rows(DEV / other)}


def test_sourced_dev_file_is_not_mostly_synonym_words():
    """The file measures the normaliser, not a lookup of our own list: at most a fifth of its rows may be
    typed exactly as a curated synonym (42 of 262 when the synonyms were last extended)."""
    rows = _rows(DEV / "job_titles_dev_sourced.csv")
    words = {_fold(s.word) for s in synonyms()}
    assert sum(_fold(r["typed"]) in words for r in rows) <= len(rows) // 5
