"""Normalise free-text job titles to the occupation vocabulary in `data/occupations.csv`."""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz import fuzz, process

from placement.reference import Occupation, occupations


@lru_cache
def _index() -> dict[str, Occupation]:
    index: dict[str, Occupation] = {}
    for occ in occupations():
        for name in (occ.code, occ.label, *occ.synonyms):
            index.setdefault(name.lower(), occ)
    return index


def normalise(text: str | None) -> Occupation | None:
    """Map "Schilders", "medewerker magazijn" or "magazijnmedewerkr" to one occupation, or None."""
    if not text:
        return None
    key = " ".join(text.lower().strip().split())
    index = _index()
    if key in index:
        return index[key]
    # Compound words: "medewerker magazijn" ↔ "magazijnmedewerker".
    parts = key.split()
    if len(parts) == 2 and (parts[1] + parts[0]) in index:
        return index[parts[1] + parts[0]]
    match = process.extractOne(key, index.keys(), scorer=fuzz.WRatio, score_cutoff=86)
    return index[match[0]] if match else None
