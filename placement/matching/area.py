"""Distance at gemeente level: same gemeente > same region > neighbouring region.

The facts come from the reference files (gemeenten.csv, region_neighbours.csv), so matching needs no
extra query to know which gemeenten are near.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from placement import reference

SAME_GEMEENTE, SAME_REGION, NEIGHBOUR_REGION, ELSEWHERE = 0, 1, 2, 3


@dataclass(frozen=True)
class Area:
    """The gemeenten around one gemeente, by distance tier."""

    gemeente_code: str
    gemeente_name: str
    region_code: str
    region_name: str
    region_gemeenten: frozenset[str]  # includes the gemeente itself
    neighbour_gemeenten: frozenset[str]

    @property
    def codes(self) -> tuple[str, ...]:
        """Every gemeente code in reach, sorted (stable SQL parameters)."""
        return tuple(sorted(self.region_gemeenten | self.neighbour_gemeenten))

    def tier(self, gemeente_code: str | None) -> int:
        if gemeente_code == self.gemeente_code:
            return SAME_GEMEENTE
        if gemeente_code in self.region_gemeenten:
            return SAME_REGION
        if gemeente_code in self.neighbour_gemeenten:
            return NEIGHBOUR_REGION
        return ELSEWHERE


@lru_cache
def gemeente_rows() -> dict[str, reference.GemeenteRow]:
    return {row.code: row for row in reference.gemeenten()}


@lru_cache
def _by_region() -> dict[str, frozenset[str]]:
    grouped: dict[str, set[str]] = {}
    for row in reference.gemeenten():
        grouped.setdefault(row.region_code, set()).add(row.code)
    return {code: frozenset(codes) for code, codes in grouped.items()}


@lru_cache
def neighbour_regions(region_code: str) -> tuple[str, ...]:
    return tuple(sorted({b for a, b in reference.region_neighbours() if a == region_code} - {region_code}))


@lru_cache(maxsize=512)
def area_for(gemeente_code: str | None) -> Area | None:
    """The area around a gemeente (by CBS code), or None for an unknown code."""
    row = gemeente_rows().get(gemeente_code or "")
    if row is None:
        return None
    by_region = _by_region()
    neighbours: set[str] = set()
    for region in neighbour_regions(row.region_code):
        neighbours |= by_region.get(region, frozenset())
    return Area(row.code, row.name, row.region_code, row.region_name,
                by_region[row.region_code], frozenset(neighbours))


def gemeente_name(code: str | None) -> str:
    row = gemeente_rows().get(code or "")
    return row.name if row else ""


def region_name_of(gemeente_code: str | None) -> str:
    row = gemeente_rows().get(gemeente_code or "")
    return row.region_name if row else ""


def region_code_of(gemeente_code: str | None) -> str | None:
    row = gemeente_rows().get(gemeente_code or "")
    return row.region_code if row else None
