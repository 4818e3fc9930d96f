"""Office hours of the werkgeversservicepunt, from the OFFICE_HOURS setting ("ma-vr 08:30-17:00; za 10:00-12:00").

One parser for the chat (handoff answers) and the staff workspace (queue page), so both agree on
when a person is available. Times are Europe/Amsterdam.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DAY_CODES = {"ma": 0, "di": 1, "wo": 2, "do": 3, "vr": 4, "za": 5, "zo": 6}
DAY_NAMES = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
Schedule = dict[int, list[tuple[dt.time, dt.time]]]


@lru_cache
def parse_office_hours(spec: str) -> Schedule:
    """'ma-vr 08:30-17:00; za 10:00-12:00' → {weekday: [(start, end), ...]}; ValueError in Dutch."""
    hours: Schedule = {}
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        match = re.fullmatch(r"([a-z]{2})(?:-([a-z]{2}))?\s+(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})", part.lower())
        if not match or match.group(1) not in DAY_CODES or (match.group(2) and match.group(2) not in DAY_CODES):
            raise ValueError(f"OFFICE_HOURS: '{part}' begrijp ik niet; voorbeeld: 'ma-vr 08:30-17:00'")
        first, last = DAY_CODES[match.group(1)], DAY_CODES[match.group(2) or match.group(1)]
        window = (dt.time(int(match.group(3)), int(match.group(4))), dt.time(int(match.group(5)), int(match.group(6))))
        for day in range(first, last + 1):
            hours.setdefault(day, []).append(window)
    return hours


def _local(now: dt.datetime | None) -> dt.datetime:
    return (now or dt.datetime.now(dt.UTC)).astimezone(AMSTERDAM)


def within_office_hours(spec: str, now: dt.datetime | None = None) -> bool:
    """Is a person available now?"""
    local = _local(now)
    return any(start <= local.time() < end for start, end in parse_office_hours(spec).get(local.weekday(), []))


def next_opening(spec: str, now: dt.datetime | None = None) -> tuple[str, dt.time] | None:
    """When staff are next at work: ("vandaag" | "morgen" | weekday name, start time); None if never."""
    local = _local(now)
    schedule = parse_office_hours(spec)
    for offset in range(8):
        day = local.date() + dt.timedelta(days=offset)
        for start, _end in sorted(schedule.get(day.weekday(), [])):
            if offset or local.time() < start:
                word = "vandaag" if offset == 0 else "morgen" if offset == 1 else DAY_NAMES[day.weekday()]
                return word, start
    return None


def describe(spec: str) -> str:
    """B1 sentence for the chat: 'Onze medewerkers werken op maandag tot en met vrijdag van 8.30 tot 17.00 uur.'"""
    parts = []
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        days, times = part.split(None, 1)
        names = [DAY_NAMES[DAY_CODES[d]] for d in days.split("-")]
        when = f"{names[0]} tot en met {names[1]}" if len(names) == 2 else names[0]
        start, end = (t.lstrip("0").replace(":", ".") or "0" for t in times.split("-"))
        parts.append(f"{when} van {start} tot {end} uur")
    return "Onze medewerkers werken op " + " en op ".join(parts) + "."
