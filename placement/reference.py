"""Reference data shipped as files in `placement/data/`: gemeenten, regions, neighbours, place aliases,
occupations.

The files are the single source of these facts; this module reads them and loads them into the
database (idempotently, so `make run` can call it every time).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from placement.models import Gemeente, Region, RegionNeighbour

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class GemeenteRow:
    code: str
    name: str
    province: str
    region_code: str
    region_name: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Occupation:
    code: str
    label: str
    sector: str
    synonyms: tuple[str, ...]
    esco_uri: str | None = None  # the ESCO occupation this old vocabulary code stands for (None: ISCO group only)
    isco_code: str | None = None  # ISCO-08 unit group (4 digits)


def _read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@lru_cache
def gemeenten() -> tuple[GemeenteRow, ...]:
    return tuple(
        GemeenteRow(r["gemeente_code"], r["gemeente_naam"], r["provincie"], r["arbeidsmarktregio_code"],
                    r["arbeidsmarktregio_naam"], float(r["lat"]), float(r["lon"]))
        for r in _read("gemeenten.csv")
    )


@lru_cache
def regions() -> dict[str, str]:
    return {r["arbeidsmarktregio_code"]: r["arbeidsmarktregio_naam"] for r in _read("arbeidsmarktregios.csv")}


@lru_cache
def region_neighbours() -> tuple[tuple[str, str], ...]:
    return tuple((r["region_code"], r["neighbour_code"]) for r in _read("region_neighbours.csv"))


@lru_cache
def place_aliases() -> dict[str, str]:
    """Everyday place names (folded) → official CBS gemeente name: "den bosch" → "'s-Hertogenbosch".

    Residences (woonplaatsen) are listed only where they lie in exactly one gemeente and are widely known.
    """
    return {r["alias"]: r["gemeente_naam"] for r in _read("place_aliases.csv")}


@lru_cache
def occupations() -> tuple[Occupation, ...]:
    return tuple(
        Occupation(r["code"], r["label"], r["sector"], tuple(s for s in r["synonyms"].split("|") if s),
                   r.get("esco_uri") or None, r.get("isco_code") or None)
        for r in _read("occupations.csv")
    )


def load_reference(session: Session) -> int:
    """Insert or update regions, gemeenten and neighbours; returns the number of gemeenten."""
    existing_regions = {r.code: r for r in session.scalars(select(Region))}
    for code, name in regions().items():
        region = existing_regions.get(code)
        if region is None:
            session.add(Region(code=code, name=name))
        elif region.name != name:
            region.name = name
    session.flush()
    existing = {g.code: g for g in session.scalars(select(Gemeente))}
    for row in gemeenten():
        values = dict(name=row.name, province=row.province, region_code=row.region_code, lat=row.lat, lon=row.lon)
        gemeente = existing.get(row.code)
        if gemeente is None:
            session.add(Gemeente(code=row.code, **values))
        else:
            for key, value in values.items():
                setattr(gemeente, key, value)
    session.execute(delete(RegionNeighbour))
    session.add_all(RegionNeighbour(region_code=a, neighbour_code=b) for a, b in region_neighbours())
    session.flush()
    return len(gemeenten())
