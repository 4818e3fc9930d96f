"""Gemeente lookup by name (case and accents ignored) and suggestions for misspelt places."""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz import fuzz, process

from placement import reference
from placement.text import fold


@lru_cache
def _gemeente_index() -> dict[str, reference.GemeenteRow]:
    index = {}
    for row in reference.gemeenten():
        index[fold(row.name)] = row
        # "Hengelo (O.)" → also "hengelo".
        if "(" in row.name:
            index.setdefault(fold(row.name.split("(")[0]), row)
    # Everyday names of gemeenten and residences whose official CBS name differs (place_aliases.csv).
    for alias, official in reference.place_aliases().items():
        index.setdefault(fold(alias), index[fold(official)])
    return index


def find_gemeente(name: str | None) -> reference.GemeenteRow | None:
    """The gemeente with this name (case and accents ignored), or None."""
    if not name:
        return None
    return _gemeente_index().get(fold(name))


def suggest_gemeenten(name: str, limit: int = 3) -> list[str]:
    """Close gemeente names for a misspelt or unknown place."""
    index = _gemeente_index()
    matches = process.extract(fold(name), index.keys(), scorer=fuzz.WRatio, limit=limit * 2, score_cutoff=70)
    names: list[str] = []
    for key, _score, _ in matches:
        if index[key].name not in names:
            names.append(index[key].name)
    return names[:limit]
