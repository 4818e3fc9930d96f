"""Scores and Dutch reasons for a match between a job seeker and a vacancy.

A score is 0–100: occupation (45 exact / 20 same sector / 45 title match), distance (25 same gemeente /
18 same region / 10 neighbouring region), hours (15 fits / 8 within 4 hours / 4 within 8 hours),
skills in common (5 each, at most 10) and availability (5 when available within two weeks).
The first three parts can be computed in SQL (`coarse` order of the shortlist); the rest is Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from placement.matching.area import ELSEWHERE, NEIGHBOUR_REGION, SAME_GEMEENTE, SAME_REGION, Area
from placement.occupations import label

OCC_EXACT, OCC_NEAR, OCC_TITLE = 45, 20, 45
DISTANCE_POINTS = {SAME_GEMEENTE: 25, SAME_REGION: 18, NEIGHBOUR_REGION: 10, ELSEWHERE: 0}
HOURS_FIT, HOURS_CLOSE, HOURS_FAR = 15, 8, 4
HOURS_CLOSE_DIFF, HOURS_MAX_DIFF = 4, 8
SKILL_POINTS, SKILL_MAX = 5, 10
AVAILABLE_POINTS, AVAILABLE_DAYS = 5, 14


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
    reason: str


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


def occupation_part(wanted: str | None, found: str | None, title_match: bool = False) -> tuple[int, str]:
    if title_match:
        return OCC_TITLE, "de functietitel past bij uw zoekwoord"
    if wanted is None:
        return 0, ""
    if found == wanted:
        return OCC_EXACT, f"zelfde beroep ({label(found)})"
    return OCC_NEAR, f"verwant beroep ({label(found)}, zelfde sector als {label(wanted)})"


def distance_part(area: Area | None, gemeente_code: str, gemeente: str, region: str) -> tuple[int, str]:
    if area is None:
        return 0, ""
    tier = area.tier(gemeente_code)
    text = {
        SAME_GEMEENTE: f"in dezelfde gemeente ({gemeente})",
        SAME_REGION: f"in dezelfde regio ({region})",
        NEIGHBOUR_REGION: f"in een regio dichtbij ({region})",
        ELSEWHERE: "verder weg",
    }[tier]
    return DISTANCE_POINTS[tier], text


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
