"""Match queries: SQL pre-filters and orders a bounded shortlist, Python ranks it and explains why.

SQL filters on indexed columns (vacancy status + ISCO code, candidate ISCO code + gemeente) with
`isco_code LIKE '93%'` (the 2-digit group: the widest fit that is still shown) and `gemeente_code IN
(gemeenten within the radius)`, and orders by fit level, distance band and hours in CASE expressions,
so the shortlist holds the best SHORTLIST rows. Python adds skills, availability and instruments and
sorts on `scoring.rank_key`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, case, literal, or_, select
from sqlalchemy.orm import Session

from placement.matching import scoring as sc
from placement.matching.area import gemeente_name, region_name_of
from placement.matching.distance import BAND_KM, band, clamp_radius, within
from placement.models import Candidate, Vacancy
from placement.occupation_data import label_of
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
              (isco_col.like(target.isco[:3] + "%"), sc.FIT["groep3"])]
    return case(*whens, else_=sc.FIT["groep2"])


def _band_sql(gemeente_col, near: tuple[tuple[str, float], ...]):
    bands: dict[int, list[str]] = {}
    for code, km in near:
        bands.setdefault(band(km), []).append(code)
    return case(*[(gemeente_col.in_(codes), n) for n, codes in sorted(bands.items())], else_=99)


def _hours_sql(value_between):
    return case((value_between(0), 0), (value_between(sc.HOURS_CLOSE_DIFF), 1), else_=2)


def _rank_vacancies(session: Session, target: Target, home: str | None, radius_km: float, hours: int | None,
                    skills: str | None, instrument: str | None = None) -> list[sc.VacancyMatch]:
    v = Vacancy
    query = (select(v.id, v.title, v.occupation, v.esco_uri, v.isco_code, v.gemeente_code, v.hours_min, v.hours_max,
                    v.contract_type, v.skills, v.beschut_werk, v.banenafspraak)
             .where(v.status == "open", v.isco_code.like(target.isco[:2] + "%")))
    order = [_fit_sql(v.esco_uri, v.isco_code, target).desc()]
    near = within(home, radius_km) if home else ()
    km_of = dict(near)
    if home:
        query = query.where(v.gemeente_code.in_(sorted(km_of)))
        order.append(_band_sql(v.gemeente_code, near))
    if hours is not None:
        query = query.where(v.hours_min <= hours + sc.HOURS_MAX_DIFF, v.hours_max >= hours - sc.HOURS_MAX_DIFF)
        order.append(_hours_sql(lambda pad: and_(v.hours_min <= hours + pad, v.hours_max >= hours - pad)))
    query = query.order_by(*order, v.id).limit(SHORTLIST)
    home_name = gemeente_name(home) if home else None
    ranked = []
    for row in session.execute(query):
        fit = sc.fit_level(target.uri, target.isco, row.esco_uri, row.isco_code)
        if fit is None:
            continue
        km = km_of.get(row.gemeente_code)
        where = gemeente_name(row.gemeente_code)
        gap = sc.hours_gap(hours, row.hours_min, row.hours_max)
        wanted = bool(instrument) and bool(getattr(row, instrument, False))
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
        ranked.append((sc.rank_key(fit, km, gap, wanted, row.id), match))
    ranked.sort(key=lambda item: item[0])
    return [match for _, match in ranked]


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
    ranked = _rank_vacancies(session, target, gemeente_code if place else None, radius, hours, skills, instrument)
    start = max(0, page) * page_size
    return SearchResult(ranked[start:start + page_size], start + page_size < len(ranked), len(ranked), target,
                        resolution, place, radius)


def vacancies_for_candidate(session: Session, candidate_id: int, limit: int = 5, offset: int = 0,
                            radius_km: float | None = None) -> list[sc.VacancyMatch]:
    """Open vacancies for a registered job seeker: occupation, gemeente and hours from the profile."""
    cand = session.get(Candidate, candidate_id)
    if cand is None or not cand.isco_code:
        return []
    target = Target(cand.esco_uri, cand.isco_code, _label(cand.esco_uri, cand.isco_code, cand.occupation))
    ranked = _rank_vacancies(session, target, cand.gemeente_code, clamp_radius(radius_km), cand.hours_wanted,
                             cand.skills)
    return ranked[offset:offset + limit]


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
             .where(c.isco_code.like(target.isco[:2] + "%"), c.active.is_(True), c.consent_at.is_not(None)))
    order = [_fit_sql(c.esco_uri, c.isco_code, target).desc()]
    near = within(home, radius_km) if home else ()
    km_of = dict(near)
    if home:
        query = query.where(c.gemeente_code.in_(sorted(km_of)))
        order.append(_band_sql(c.gemeente_code, near))
    if lo is not None and hi is not None:
        pad = sc.HOURS_MAX_DIFF
        query = query.where(or_(c.hours_wanted.is_(None), c.hours_wanted.between(lo - pad, hi + pad)))
        order.append(case((c.hours_wanted.is_(None), literal(3)),
                          else_=_hours_sql(lambda p: c.hours_wanted.between(lo - p, hi + p))))
    query = query.order_by(*order, c.id).limit(SHORTLIST)
    ranked = []
    for row in session.execute(query):
        fit = sc.fit_level(target.uri, target.isco, row.esco_uri, row.isco_code)
        if fit is None:
            continue
        km = km_of.get(row.gemeente_code)
        gap = sc.hours_gap(row.hours_wanted, lo, hi) if lo is not None and hi is not None else None
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
        ranked.append((sc.rank_key(fit, km, gap, False, row.id), profile))
    ranked.sort(key=lambda item: item[0])
    return [profile for _, profile in ranked[:limit]]


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
    vac = session.get(Vacancy, vacancy_id)
    if vac is None or not vac.isco_code:
        return []
    target = Target(vac.esco_uri, vac.isco_code, _label(vac.esco_uri, vac.isco_code, vac.occupation))
    return _rank_candidates(session, target, vac.gemeente_code, clamp_radius(radius_km), vac.hours_min,
                            vac.hours_max, vac.skills, limit, today or dt.date.today())
