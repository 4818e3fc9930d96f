"""Gemeente lookup by name (case and accents ignored) and suggestions for misspelt places."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from rapidfuzz import fuzz, process

from placement import reference


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower().strip())
    return "".join(c for c in text if not unicodedata.combining(c))


@lru_cache
def _gemeente_index() -> dict[str, reference.GemeenteRow]:
    index = {}
    for row in reference.gemeenten():
        index[_fold(row.name)] = row
        # "Hengelo (O.)" → also "hengelo"; "'s-Hertogenbosch" → also "den bosch" via synonyms in NLU.
        if "(" in row.name:
            index.setdefault(_fold(row.name.split("(")[0]), row)
    # Everyday names of gemeenten whose official CBS name differs.
    for alias, official in (("den bosch", "'s-Hertogenbosch"), ("den haag", "'s-Gravenhage")):
        index.setdefault(alias, index[_fold(official)])
    return index


def find_gemeente(name: str | None) -> reference.GemeenteRow | None:
    """The gemeente with this name (case and accents ignored), or None."""
    if not name:
        return None
    return _gemeente_index().get(_fold(name))


def suggest_gemeenten(name: str, limit: int = 3) -> list[str]:
    """Close gemeente names for a misspelt or unknown place."""
    index = _gemeente_index()
    matches = process.extract(_fold(name), index.keys(), scorer=fuzz.WRatio, limit=limit * 2, score_cutoff=70)
    names: list[str] = []
    for key, _score, _ in matches:
        if index[key].name not in names:
            names.append(index[key].name)
    return names[:limit]
