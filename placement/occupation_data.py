"""ESCO v1.2.0 occupations (Dutch) with their ISCO-08 groups, plus Werkpunt's curated synonyms.

Files in `placement/data/esco/` (sources and licence in its SOURCES.md; "Deze dienst gebruikt de
ESCO-classificatie van de Europese Commissie.") and `placement/data/occupation_synonyms.csv` (our own
everyday and field words ESCO lacks, such as "poetsvrouw" and "groenvoorziening"). Everything is read
once per process; the normaliser builds its index from these tuples.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
ESCO_DIR = DATA / "esco"
ESCO_ATTRIBUTION = "Deze dienst gebruikt de ESCO-classificatie van de Europese Commissie."


@dataclass(frozen=True)
class EscoOccupation:
    uri: str
    isco: str  # ISCO-08 unit group, 4 digits
    label: str  # preferred label; double forms ("a/b") shortened to the first form
    labels: tuple[str, ...]  # every form that names it: preferred (both halves of "a/b") first, then alt labels
    preferred_forms: int  # how many of `labels` are the preferred label (2 for "a/b")


@dataclass(frozen=True)
class Synonym:
    """A curated word: maps to one ESCO occupation (by URI) or to an ISCO group (by code)."""

    word: str
    target: str  # ESCO URI or ISCO code (1-4 digits)
    comment: str


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(row for row in handle if not row.startswith("#")))


def _short(label: str) -> str:
    """"medewerker groenvoorziening/medewerkster groenvoorziening" → "medewerker groenvoorziening"."""
    return label.split("/")[0].strip() if "/" in label and " / " not in label else label


@lru_cache
def esco_occupations() -> tuple[EscoOccupation, ...]:
    rows = []
    for r in _read(ESCO_DIR / "occupations_nl.csv"):
        preferred = r["preferred_label_nl"].strip()
        forms = [part.strip() for part in preferred.split("/")] if "/" in preferred else [preferred]
        alts = [a.strip() for a in r["alt_labels_nl"].split("|") if a.strip()]
        rows.append(EscoOccupation(r["esco_uri"], r["isco_code"], _short(preferred), tuple(dict.fromkeys(forms + alts)),
                                   len(set(forms))))
    return tuple(rows)


@lru_cache
def by_uri() -> dict[str, EscoOccupation]:
    return {occ.uri: occ for occ in esco_occupations()}


@lru_cache
def isco_groups() -> dict[str, str]:
    """ISCO-08 code (1-4 digits) → Dutch label."""
    return {r["isco_code"]: r["label_nl"] for r in _read(ESCO_DIR / "isco_groups_nl.csv")}


@lru_cache
def synonyms() -> tuple[Synonym, ...]:
    rows = _read(DATA / "occupation_synonyms.csv")
    return tuple(Synonym(r["word"].strip(), r["target"].strip(), r.get("comment", "").strip()) for r in rows)


def label_of(uri: str | None, isco: str | None = None) -> str:
    """Readable label: the ESCO preferred label, else the ISCO group label, else ""."""
    occ = by_uri().get(uri or "")
    if occ:
        return occ.label
    return isco_groups().get(isco or "", "")
