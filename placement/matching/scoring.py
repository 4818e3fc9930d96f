"""Scores, ranking keys and Dutch reasons for a match between a job seeker and a vacancy.

Occupation fit follows the ISCO-08 hierarchy (FIT): the same ESCO occupation 50, the same 4-digit
unit group 40 (50 when the question named a group, such as "de zorg"), the same 3-digit minor group
25, the same 2-digit sub-major group 10; anything else is not shown. Distance is kilometres between
gemeente points (distance.py): up to 25 points, falling linearly to 0 at the radius. Hours: 15 fits /
8 within 4 hours / 4 within 8 hours. Skills in common 5 each (at most 10), availability 5, a requested
instrument (beschut werk, banenafspraak) 5. The score is shown to staff; the ORDER is stricter:
fit first, then distance in 5 km bands, then hours, then instruments, then id (`rank_key`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from placement.matching.distance import band

FIT = {"beroep": 50, "groep4": 40, "groep3": 25, "groep2": 10}
FIT_TEXT = {"beroep": "zelfde beroep", "groep4": "zelfde beroepsgroep", "groep3": "verwant beroep",
            "groep2": "beroep in hetzelfde vakgebied"}
DISTANCE_MAX = 25
HOURS_FIT, HOURS_CLOSE, HOURS_FAR = 15, 8, 4
HOURS_CLOSE_DIFF, HOURS_MAX_DIFF = 4, 8
SKILL_POINTS, SKILL_MAX = 5, 10
AVAILABLE_POINTS, AVAILABLE_DAYS = 5, 14
INSTRUMENT_POINTS = 5


def fit_level(want_uri: str | None, want_isco: str, uri: str | None, isco: str | None) -> str | None:
    """How close an occupation is to the one asked for, by the ISCO hierarchy; None = unrelated."""
    if not isco:
        return None
    if want_uri and uri == want_uri:
        return "beroep"
    if isco == want_isco:
        return "groep4" if want_uri else "beroep"
    if isco[:3] == want_isco[:3]:
        return "groep3"
    if isco[:2] == want_isco[:2]:
        return "groep2"
    return None


def distance_points(km: float | None, radius_km: float) -> int:
    if km is None:
        return 0
    return max(0, round(DISTANCE_MAX * (1 - km / radius_km))) if radius_km > 0 else 0


def distance_text(km: float | None, place: str, home: str | None) -> str:
    if km is None or home is None:
        return f"in {place}"
    if km < 0.5:
        return f"in {place}"
    return f"{round(km)} km van {home}"


def span_text(lo: int, hi: int) -> str:
    return f"{lo} uur" if lo == hi else f"{lo}–{hi} uur"


def rank_key(fit: str, km: float | None, hours_gap_value: int | None, instrument: bool, ident: int) -> tuple:
    return (-FIT[fit], band(km) if km is not None else 99, 99 if hours_gap_value is None else hours_gap_value,
            not instrument, ident)


@dataclass(frozen=True)
class VacancyMatch:
    """An open vacancy as shown to a job seeker."""

    vacancy_id: int
    title: str
    occupation: str | None
    gemeente: str
    region: str
    hours_min: int
    hours_max: int
    contract_type: str
    score: int
    reason: str  # "Zelfde beroep, 8 km van Zwolle, 24–32 uur"
    fit: str = "beroep"
    distance_km: float | None = None


@dataclass(frozen=True)
class CandidateProfile:
    """An anonymous job seeker profile: never a name, contact details, benefit type or health.

    `candidate_id` is the internal key staff need to propose someone; chat replies do not show it.
    """

    candidate_id: int
    occupation: str
    interests: tuple[str, ...]
    skills: tuple[str, ...]
    region: str
    hours: int | None
    availability: str
    score: int
    reason: str
    fit: str = "beroep"
    distance_band: str = ""  # "binnen 10 km": never the exact place


def split_list(text: str | None) -> tuple[str, ...]:
    """"heftruckcertificaat, orderpicken" → ("heftruckcertificaat", "orderpicken")."""
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())


def hours_gap(hours: int | None, lo: int, hi: int) -> int | None:
    """How many hours `hours` lies outside [lo, hi] (0 = fits); None when hours are unknown."""
    if hours is None:
        return None
    return max(lo - hours, hours - hi, 0)


def hours_points(gap: int | None) -> int:
    if gap is None:
        return 0
    if gap == 0:
        return HOURS_FIT
    return HOURS_CLOSE if gap <= HOURS_CLOSE_DIFF else HOURS_FAR


def hours_part(hours: int | None, lo: int, hi: int) -> tuple[int, str]:
    gap = hours_gap(hours, lo, hi)
    if gap is None:
        return 0, ""
    span = f"{lo} uur" if lo == hi else f"{lo}-{hi} uur"
    if gap == 0:
        return HOURS_FIT, f"{hours} uur past bij {span}"
    return hours_points(gap), f"{hours} uur ligt dicht bij {span}"


def wanted_hours_part(wanted: int | None, lo: int | None, hi: int | None) -> tuple[int, str]:
    """Hours from the job seeker's side: "wil 24 uur werken" against what the employer asks."""
    if lo is None or hi is None:
        return 0, ""
    gap = hours_gap(wanted, lo, hi)
    if gap is None:
        return 0, ""
    span = f"{lo} uur" if lo == hi else f"{lo}-{hi} uur"
    return hours_points(gap), f"wil {wanted} uur werken" + ("" if gap == 0 else f" (gevraagd: {span})")


def skills_part(left: str | None, right: str | None) -> tuple[int, str]:
    mine = {s.lower(): s for s in split_list(left)}
    common = sorted(s for key, s in mine.items() if key in {r.lower() for r in split_list(right)})
    if not common:
        return 0, ""
    return min(SKILL_MAX, SKILL_POINTS * len(common)), "zelfde vaardigheden: " + ", ".join(common)


def availability(available_from: dt.date | None, today: dt.date) -> tuple[int, str]:
    if available_from is None or available_from <= today:
        return AVAILABLE_POINTS, "direct beschikbaar"
    text = f"beschikbaar vanaf {dutch_date(available_from)}"
    return (AVAILABLE_POINTS if available_from <= today + dt.timedelta(days=AVAILABLE_DAYS) else 0), text


def combine(parts: list[tuple[int, str]]) -> tuple[int, str]:
    """Total score and one readable sentence ("Zelfde beroep; in dezelfde regio")."""
    score = sum(points for points, _ in parts)
    texts = [text for _, text in parts if text]
    reason = "; ".join(texts)
    return score, (reason[:1].upper() + reason[1:]) if reason else "Past bij uw vraag"


MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
          "oktober", "november", "december")


def dutch_date(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
