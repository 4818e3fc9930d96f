"""Match queries: SQL pre-filters and orders a bounded shortlist, Python ranks it and explains why.

SQL filters on indexed columns (vacancy status + ISCO code, candidate ISCO code + gemeente): one query
per ISCO fit level (same 4-digit group, then the rest of the 3-digit, then of the 2-digit group, the
widest fit still shown) until SHORTLIST rows are found, each with `gemeente_code IN (gemeenten within
the radius)` and ordered by fit, distance (from the gemeente's coordinates) and hours. Python adds skills, availability and instruments and
sorts on `scoring.rank_key`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from placement.matching import scoring as sc
from placement.matching.area import gemeente_name, region_name_of
from placement.matching.distance import BAND_KM, band, clamp_radius, within
from placement.models import Candidate, Vacancy
from placement.occupation_data import isco_groups, label_of
from placement.occupation_normaliser import OccupationMatch, Resolution, resolve
from placement.occupations import label as old_label

SHORTLIST = 200
INSTRUMENT_TEXT = {"beschut_werk": "beschut werk", "banenafspraak": "banenafspraak"}  # Vacancy columns


def _label(uri: str | None, isco: str | None, old_code: str | None) -> str:
    """ESCO preferred label; for a row that names only an ISCO group, its old vocabulary word
    ("schilder") reads better than the group's plural label ("Schilders e.d.")."""
    if uri or not old_code:
        return label_of(uri, isco)
    return old_label(old_code) or label_of(uri, isco)


@dataclass(frozen=True)
class Target:
    """What is searched for: one ESCO occupation (uri) or an ISCO unit group (uri None)."""

    uri: str | None
    isco: str
    label: str

    @classmethod
    def of(cls, match: OccupationMatch) -> Target:
        return cls(match.uri, match.isco, match.label)


@dataclass(frozen=True)
class SearchResult:
    matches: list[sc.VacancyMatch]  # the requested page
    has_more: bool
    total: int  # ranked results (at most SHORTLIST)
    target: Target | None  # None: the title was not understood well enough (see resolution)
    resolution: Resolution | None
    place: str | None  # gemeente name searched around
    radius_km: float


def _fit_sql(uri_col, isco_col, target: Target):
    whens = []
    if target.uri:
        whens.append((uri_col == target.uri, sc.FIT["beroep"]))
    whens += [(isco_col == target.isco, sc.FIT["groep4" if target.uri else "beroep"]),
              (_prefix(isco_col, target.isco[:3]), sc.FIT["groep3"])]
    return case(*whens, else_=sc.FIT["groep2"])


def _after(prefix: str) -> str:
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)  # "933" → "934", "939" → "93:" (':' sorts after '9')


def _prefix(isco_col, prefix: str):
    """isco_code starts with prefix, as a range so that an index serves it (LIKE does not on SQLite)."""
    return and_(isco_col >= prefix, isco_col < _after(prefix))


def _tiers(isco_col, isco: str):
    """One filter per fit level, best first. Fit is the first ranking key, so the shortlist is filled
    tier by tier, and a wider tier is read only when the narrower ones gave fewer than SHORTLIST rows.
    Each tier is `isco_code IN (unit groups)` from the ISCO file, so the (isco_code, gemeente_code)
    index is probed per pair instead of scanning a range."""
    yield isco_col == isco  # a generator: the wider tiers are only built when they are read
    for codes in _wider_codes(isco):
        yield isco_col.in_(codes)


@lru_cache(maxsize=1024)
def _wider_codes(isco: str) -> tuple[tuple[str, ...], ...]:
    """(the rest of the 3-digit group, the rest of the 2-digit group), empty ones left out."""
    units = [code for code in isco_groups() if len(code) == 4]
    same3 = tuple(c for c in units if c[:3] == isco[:3] and c != isco)
    same2 = tuple(c for c in units if c[:2] == isco[:2] and c[:3] != isco[:3])
    return tuple(codes for codes in (same3, same2) if codes)


def _shortlist(session: Session, query, isco_col, isco: str, order: list, need: int = SHORTLIST) -> list:
    """The first `need` rows in ranking order. The SQL order is `scoring.rank_key` itself (fit, 5 km band,
    hours gap, instrument, id), so a page of 5 needs only 5 rows, and usually one tier."""
    rows: list = []
    for tier in _tiers(isco_col, isco):
        rows += session.execute(query.where(tier).order_by(*order).limit(need - len(rows))).all()
        if len(rows) >= need:
            break
    return rows


@lru_cache(maxsize=2048)
def _near_sql(gemeente_col, home: str, radius_km: float):
    """(`gemeente_code IN (gemeenten within the radius)`, their 5 km band as `CASE WHEN code IN (band 0)
    THEN 0 ...`): the exact great-circle band of `rank_key` without joining the gemeente table for
    coordinates. Cached per place and radius: building these expressions cost more than running them."""
    by_band: dict[int, list[str]] = {}
    for code, km in within(home, radius_km):
        by_band.setdefault(band(km), []).append(code)
    reach = gemeente_col.in_(sorted(code for codes in by_band.values() for code in codes))
    return reach, case(*[(gemeente_col.in_(sorted(codes)), b) for b, codes in sorted(by_band.items())], else_=99)


def _gap_sql(lo_col, hi_col, hours: int):
    """`scoring.hours_gap(hours, lo, hi)`: hours outside the vacancy's span."""
    return case((lo_col > hours, lo_col - hours), (hi_col < hours, hours - hi_col), else_=0)


def _rank_vacancies(session: Session, target: Target, home: str | None, radius_km: float, hours: int | None,
                    skills: str | None, instrument: str | None = None,
                    window: slice = slice(None), count: bool = False) -> tuple[int, list[sc.VacancyMatch]]:
    """(shortlist size, the ranked matches in `window`): only the rows shown get a score and a reason."""
    v = Vacancy
    query = (select(v.id, v.title, v.occupation, v.esco_uri, v.isco_code, v.gemeente_code, v.hours_min, v.hours_max,
                    v.contract_type, v.skills, v.beschut_werk, v.banenafspraak)
             .where(v.status == "open"))
    order = [_fit_sql(v.esco_uri, v.isco_code, target).desc()]
    near = within(home, radius_km) if home else ()
    km_of = dict(near)
    if home:
        reach, band_order = _near_sql(v.gemeente_code, home, radius_km)
        query = query.where(reach)
        order.append(band_order)
    if hours is not None:
        query = query.where(v.hours_min <= hours + sc.HOURS_MAX_DIFF, v.hours_max >= hours - sc.HOURS_MAX_DIFF)
        order.append(_gap_sql(v.hours_min, v.hours_max, hours))
    if instrument:
        order.append(case((getattr(v, instrument).is_(True), 0), else_=1))
    home_name = gemeente_name(home) if home else None
    keyed = []
    need = SHORTLIST if window.stop is None else min(SHORTLIST, window.stop)
    for row in _shortlist(session, query, v.isco_code, target.isco, [*order, v.id], need):
        fit = sc.fit_level(target.uri, target.isco, row.esco_uri, row.isco_code)
        if fit is None:
            continue
        km = km_of.get(row.gemeente_code)
        gap = sc.hours_gap(hours, row.hours_min, row.hours_max)
        wanted = bool(instrument) and bool(getattr(row, instrument, False))
        keyed.append((sc.rank_key(fit, km, gap, wanted, row.id), fit, km, gap, wanted, row))
    keyed.sort(key=lambda item: item[0])
    matches = []
    for _key, fit, km, gap, wanted, row in keyed[window]:
        where = gemeente_name(row.gemeente_code)
        score = (sc.FIT[fit] + sc.distance_points(km, radius_km) + sc.hours_points(gap)
                 + sc.skills_part(skills, row.skills)[0] + (sc.INSTRUMENT_POINTS if wanted else 0))
        fit_text = sc.FIT_TEXT[fit] if fit in ("beroep", "groep4") else (
            f"{sc.FIT_TEXT[fit]} ({_label(row.esco_uri, row.isco_code, row.occupation)})")
        reason = ", ".join([fit_text, sc.distance_text(km, where, home_name),
                            sc.span_text(row.hours_min, row.hours_max)]
                           + ([INSTRUMENT_TEXT[instrument]] if wanted else []))
        match = sc.VacancyMatch(row.id, row.title, _label(row.esco_uri, row.isco_code, row.occupation), where,
                                region_name_of(row.gemeente_code), row.hours_min, row.hours_max, row.contract_type,
                                min(score, 100), reason[:1].upper() + reason[1:], fit, km)
        matches.append(match)
    total = _count_upto(session, query, v.isco_code, v.id, target.isco, SHORTLIST) if count else len(keyed)
    return total, matches


def _count_upto(session: Session, query, isco_col, id_col, isco: str, cap: int) -> int:
    """How many rows the search has, counted up to cap ("veel vacatures" above it): a count per tier
    is cheaper than reading and ranking cap rows to show five."""
    total = 0
    for tier in _tiers(isco_col, isco):
        ids = query.where(tier).with_only_columns(id_col).limit(cap - total).subquery()
        total += session.execute(select(func.count()).select_from(ids)).scalar_one()
        if total >= cap:
            break
    return total


def search_vacancies(session: Session, text: str | None, gemeente_code: str | None, hours: int | None,
                     page: int = 0, page_size: int = 5, skills: str | None = None,
                     radius_km: float | None = None, target: Target | None = None,
                     instrument: str | None = None) -> SearchResult:
    """Chat search: a typed job (normalised; uncertain → no results, the caller asks) or a chosen
    target, around a gemeente within radius_km, paged."""
    radius = clamp_radius(radius_km)
    resolution = None
    if target is None:
        resolution = resolve(text)
        if resolution.confident:
            target = Target.of(resolution.best)
    place = gemeente_name(gemeente_code) or None
    if target is None:
        return SearchResult([], False, 0, None, resolution, place, radius)
    start = max(0, page) * page_size
    total, shown = _rank_vacancies(session, target, gemeente_code if place else None, radius, hours, skills,
                                   instrument, slice(start, start + page_size), count=True)
    return SearchResult(shown, start + page_size < total, total, target, resolution, place, radius)


def vacancies_for_candidate(session: Session, candidate_id: int, limit: int = 5, offset: int = 0,
                            radius_km: float | None = None) -> list[sc.VacancyMatch]:
    """Open vacancies for a registered job seeker: occupation, gemeente and hours from the profile."""
    c = Candidate  # only the columns the search needs: cheaper than loading the ORM entity
    cand = session.execute(select(c.esco_uri, c.isco_code, c.occupation, c.gemeente_code, c.hours_wanted, c.skills)
                           .where(c.id == candidate_id)).first()
    if cand is None or not cand.isco_code:
        return []
    target = Target(cand.esco_uri, cand.isco_code, _label(cand.esco_uri, cand.isco_code, cand.occupation))
    return _rank_vacancies(session, target, cand.gemeente_code, clamp_radius(radius_km), cand.hours_wanted,
                           cand.skills, window=slice(offset, offset + limit))[1]


def _distance_band(km: float | None) -> str:
    if km is None:
        return ""
    if km < BAND_KM:
        return f"binnen {BAND_KM} km"
    return f"binnen {(int(km // 10) + 1) * 10} km"


def _rank_candidates(session: Session, target: Target, home: str | None, radius_km: float, lo: int | None,
                     hi: int | None, skills: str | None, limit: int, today: dt.date) -> list[sc.CandidateProfile]:
    c = Candidate
    query = (select(c.id, c.occupation, c.esco_uri, c.isco_code, c.gemeente_code, c.interests, c.skills, c.hours_wanted,
                    c.available_from)
             .where(c.active.is_(True), c.consent_at.is_not(None)))
    order = [_fit_sql(c.esco_uri, c.isco_code, target).desc()]
    near = within(home, radius_km) if home else ()
    km_of = dict(near)
    if home:
        reach, band_order = _near_sql(c.gemeente_code, home, radius_km)
        query = query.where(reach)
        order.append(band_order)
    if lo is not None and hi is not None:
        pad = sc.HOURS_MAX_DIFF
        query = query.where(or_(c.hours_wanted.is_(None), c.hours_wanted.between(lo - pad, hi + pad)))
        # scoring.hours_gap(wanted, lo, hi); unknown hours (None) rank after every known gap, as 99 does
        order.append(case((c.hours_wanted.is_(None), literal(99)), (c.hours_wanted < lo, lo - c.hours_wanted),
                          (c.hours_wanted > hi, c.hours_wanted - hi), else_=0))
    keyed = []
    for row in _shortlist(session, query, c.isco_code, target.isco, [*order, c.id], limit):
        fit = sc.fit_level(target.uri, target.isco, row.esco_uri, row.isco_code)
        if fit is None:
            continue
        km = km_of.get(row.gemeente_code)
        gap = sc.hours_gap(row.hours_wanted, lo, hi) if lo is not None and hi is not None else None
        keyed.append((sc.rank_key(fit, km, gap, False, row.id), fit, km, row))
    keyed.sort(key=lambda item: item[0])
    profiles = []
    for _key, fit, km, row in keyed[:limit]:
        avail_points, avail_text = sc.availability(row.available_from, today)
        hours_points, hours_text = sc.wanted_hours_part(row.hours_wanted, lo, hi)
        score = (sc.FIT[fit] + sc.distance_points(km, radius_km) + hours_points
                 + sc.skills_part(row.skills, skills)[0] + avail_points)
        occupation = _label(row.esco_uri, row.isco_code, row.occupation)
        parts = [sc.FIT_TEXT[fit] + ("" if fit in ("beroep", "groep4") else f" ({occupation})"),
                 _distance_band(km), hours_text, avail_text if avail_points else ""]
        reason = ", ".join(p for p in parts if p)
        profile = sc.CandidateProfile(
            row.id, occupation, sc.split_list(row.interests), sc.split_list(row.skills),
            region_name_of(row.gemeente_code), row.hours_wanted, avail_text, min(score, 100),
            reason[:1].upper() + reason[1:], fit, _distance_band(km))
        profiles.append(profile)
    return profiles


def candidates_for_request(session: Session, occupation: str | Target | None, gemeente_code: str | None,
                           hours: int | None, limit: int = 5, today: dt.date | None = None,
                           skills: str | None = None, radius_km: float | None = None) -> list[sc.CandidateProfile]:
    """Anonymous profiles for an employer's question ("magazijnmedewerker in Gouda, 24 uur")."""
    target = occupation if isinstance(occupation, Target) else None
    if target is None and occupation:
        found = resolve(occupation)
        target = Target.of(found.best) if found.confident else None
    if target is None:
        return []
    return _rank_candidates(session, target, gemeente_code, clamp_radius(radius_km), hours, hours, skills, limit,
                            today or dt.date.today())


def candidates_for_vacancy(session: Session, vacancy_id: int, limit: int = 5, today: dt.date | None = None,
                           radius_km: float | None = None) -> list[sc.CandidateProfile]:
    """Anonymous profiles for a vacancy (any status: staff may match a concept vacancy too)."""
    v = Vacancy  # only the columns the search needs: cheaper than loading the ORM entity
    vac = session.execute(select(v.esco_uri, v.isco_code, v.occupation, v.gemeente_code, v.hours_min, v.hours_max,
                                 v.skills).where(v.id == vacancy_id)).first()
    if vac is None or not vac.isco_code:
        return []
    target = Target(vac.esco_uri, vac.isco_code, _label(vac.esco_uri, vac.isco_code, vac.occupation))
    return _rank_candidates(session, target, vac.gemeente_code, clamp_radius(radius_km), vac.hours_min,
                            vac.hours_max, vac.skills, limit, today or dt.date.today())
