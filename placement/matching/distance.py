"""Kilometres between gemeenten: great-circle (haversine) distance between their reference points.

Every place is a gemeente (`placement/data/gemeenten.csv`: centroid, or pole of inaccessibility for
odd shapes), so "8 km van Zwolle" is the distance between two gemeente points, not between addresses:
two vacancies in one gemeente are 0 km apart. The 342 points fit in memory, so the gemeenten within a
radius are found in Python once per (gemeente, radius) and SQL filters on `gemeente_code IN (...)`
over an index: that set is the bounding area, exact rather than a latitude/longitude box.
"""

from __future__ import annotations

import math
from functools import lru_cache

from placement.matching.area import gemeente_rows

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)
DEFAULT_RADIUS_KM = 20  # "in de buurt van": a bike ride or a short bus trip; wider on request
MIN_RADIUS_KM, MAX_RADIUS_KM = 1, 150  # 150 km spans the Netherlands from the middle outwards
BAND_KM = 5  # ranking treats distances within the same 5 km band as equal, so hours can decide


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


@lru_cache(maxsize=4096)
def km_between(a: str, b: str) -> float | None:
    rows = gemeente_rows()
    if a not in rows or b not in rows:
        return None
    if a == b:
        return 0.0
    return haversine_km(rows[a].lat, rows[a].lon, rows[b].lat, rows[b].lon)


@lru_cache(maxsize=2048)
def within(gemeente_code: str, radius_km: float) -> tuple[tuple[str, float], ...]:
    """(gemeente code, km) for every gemeente within radius_km of gemeente_code, nearest first."""
    here = gemeente_rows().get(gemeente_code)
    if here is None:
        return ()
    found = []
    for code, row in gemeente_rows().items():
        km = 0.0 if code == gemeente_code else haversine_km(here.lat, here.lon, row.lat, row.lon)
        if km <= radius_km:
            found.append((code, km))
    return tuple(sorted(found, key=lambda item: (item[1], item[0])))


def clamp_radius(radius_km: float | None) -> float:
    if radius_km is None:
        return DEFAULT_RADIUS_KM
    return float(min(MAX_RADIUS_KM, max(MIN_RADIUS_KM, radius_km)))


def band(km: float) -> int:
    return int(km // BAND_KM)
