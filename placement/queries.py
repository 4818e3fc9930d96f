"""Read and write queries the actions and the staff UI share."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.orm import Session

from placement import reference
from placement.models import Gemeente, Vacancy


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


def open_vacancies(session: Session, occupation: str | None, region_code: str | None,
                   limit: int = 5, offset: int = 0) -> list[Vacancy]:
    """Open vacancies for an occupation in a region (both optional), newest first."""
    query = select(Vacancy).where(Vacancy.status == "open")
    if occupation:
        query = query.where(Vacancy.occupation == occupation)
    if region_code:
        query = query.join(Gemeente, Vacancy.gemeente_code == Gemeente.code).where(Gemeente.region_code == region_code)
    query = query.order_by(Vacancy.created_at.desc(), Vacancy.id).limit(limit).offset(offset)
    return list(session.scalars(query))
