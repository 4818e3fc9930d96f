"""Match queries: SQL pre-filters and orders a bounded shortlist, Python ranks it and explains why.

SQL filters on indexed columns (vacancy status + occupation / gemeente, candidate occupation +
gemeente) and orders by the part of the score it can compute (occupation, distance, hours); Python
adds skills and availability, which are worth at most 15 points, and sorts on (score, id).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from placement.matching import scoring as sc
from placement.matching.area import Area, area_for, gemeente_name, region_name_of
from placement.models import Candidate, Vacancy
from placement.occupations import GENERIC, MODIFIERS, STOPWORDS, label, normalise, related
from placement.reference import Occupation
from placement.text import fold_words

SHORTLIST = 200


@dataclass(frozen=True)
class SearchResult:
    matches: list[sc.VacancyMatch]  # the requested page
    has_more: bool
    total: int  # ranked results (at most SHORTLIST)
    occupation: Occupation | None
    area: Area | None


def _distance_sql(column, area: Area):
    return case((column == area.gemeente_code, sc.DISTANCE_POINTS[0]),
                (column.in_(sorted(area.region_gemeenten)), sc.DISTANCE_POINTS[1]),
                else_=sc.DISTANCE_POINTS[2])


def _hours_sql(value_between):
    """CASE over the hours gap; `value_between(lo_pad, hi_pad)` builds "hours fit with padding"."""
    return case((value_between(0), sc.HOURS_FIT), (value_between(sc.HOURS_CLOSE_DIFF), sc.HOURS_CLOSE),
                else_=sc.HOURS_FAR)


def _title_words(text: str | None) -> list[str]:
    skip = STOPWORDS | MODIFIERS | GENERIC
    return [w for w in fold_words(text or "").split() if len(w) >= 2 and w not in skip][:4]


def _rank_vacancies(session: Session, occupation: str | None, title_words: list[str], area: Area | None,
                    hours: int | None, skills: str | None) -> list[sc.VacancyMatch]:
    v = Vacancy
    query = select(v.id, v.title, v.occupation, v.gemeente_code, v.hours_min, v.hours_max, v.contract_type,
                   v.skills).where(v.status == "open")
    coarse = [literal(0)]
    if occupation:
        query = query.where(v.occupation.in_((occupation, *related(occupation))))
        coarse.append(case((v.occupation == occupation, sc.OCC_EXACT), else_=sc.OCC_NEAR))
    for word in title_words:  # folded words: letters, digits and spaces only
        query = query.where(func.lower(v.title).contains(word, autoescape=True))
    if area is not None:
        query = query.where(v.gemeente_code.in_(area.codes))
        coarse.append(_distance_sql(v.gemeente_code, area))
    if hours is not None:
        query = query.where(v.hours_min <= hours + sc.HOURS_MAX_DIFF, v.hours_max >= hours - sc.HOURS_MAX_DIFF)
        coarse.append(_hours_sql(lambda pad: and_(v.hours_min <= hours + pad, v.hours_max >= hours - pad)))
    query = query.order_by(sum(coarse[1:], coarse[0]).desc(), v.id).limit(SHORTLIST)
    matches = []
    for row in session.execute(query):
        where, region = gemeente_name(row.gemeente_code), region_name_of(row.gemeente_code)
        parts = [sc.occupation_part(occupation, row.occupation, title_match=bool(title_words)),
                 sc.distance_part(area, row.gemeente_code, where, region),
                 sc.hours_part(hours, row.hours_min, row.hours_max), sc.skills_part(skills, row.skills)]
        score, reason = sc.combine(parts)
        matches.append(sc.VacancyMatch(row.id, row.title, row.occupation, where, region, row.hours_min,
                                       row.hours_max, row.contract_type, score, reason))
    matches.sort(key=lambda m: (-m.score, m.vacancy_id))
    return matches


def search_vacancies(session: Session, text: str | None, gemeente_code: str | None, hours: int | None,
                     page: int = 0, page_size: int = 5, skills: str | None = None) -> SearchResult:
    """Free-text chat search: job title (vocabulary, else title words), gemeente and hours, paged."""
    occ = normalise(text)
    words = [] if occ else _title_words(text)
    area = area_for(gemeente_code)
    if occ is None and not words and area is None:
        return SearchResult([], False, 0, None, None)  # nothing to search on: the caller asks
    ranked = _rank_vacancies(session, occ.code if occ else None, words, area, hours, skills)
    start = max(0, page) * page_size
    return SearchResult(ranked[start:start + page_size], start + page_size < len(ranked), len(ranked), occ, area)


def vacancies_for_candidate(session: Session, candidate_id: int, limit: int = 5,
                            offset: int = 0) -> list[sc.VacancyMatch]:
    """Open vacancies for a registered job seeker: occupation, gemeente and hours from the profile."""
    cand = session.get(Candidate, candidate_id)
    if cand is None or not cand.occupation:
        return []
    ranked = _rank_vacancies(session, cand.occupation, [], area_for(cand.gemeente_code), cand.hours_wanted,
                             cand.skills)
    return ranked[offset:offset + limit]


def _rank_candidates(session: Session, occupation: str, area: Area | None, lo: int | None, hi: int | None,
                     skills: str | None, limit: int, today: dt.date) -> list[sc.CandidateProfile]:
    c = Candidate
    query = (select(c.id, c.occupation, c.gemeente_code, c.interests, c.skills, c.hours_wanted, c.available_from)
             .where(c.occupation.in_((occupation, *related(occupation))), c.active.is_(True),
                    c.consent_at.is_not(None)))
    coarse = [case((c.occupation == occupation, sc.OCC_EXACT), else_=sc.OCC_NEAR)]
    if area is not None:
        query = query.where(c.gemeente_code.in_(area.codes))
        coarse.append(_distance_sql(c.gemeente_code, area))
    if lo is not None and hi is not None:
        pad = sc.HOURS_MAX_DIFF
        query = query.where(or_(c.hours_wanted.is_(None), c.hours_wanted.between(lo - pad, hi + pad)))
        coarse.append(case((c.hours_wanted.is_(None), 0), else_=_hours_sql(
            lambda p: c.hours_wanted.between(lo - p, hi + p))))
    query = query.order_by(sum(coarse[1:], coarse[0]).desc(), c.id).limit(SHORTLIST)
    profiles = []
    for row in session.execute(query):
        region = region_name_of(row.gemeente_code)
        avail_points, avail_text = sc.availability(row.available_from, today)
        parts = [sc.occupation_part(occupation, row.occupation),
                 sc.distance_part(area, row.gemeente_code, gemeente_name(row.gemeente_code), region),
                 sc.wanted_hours_part(row.hours_wanted, lo, hi),
                 sc.skills_part(row.skills, skills), (avail_points, avail_text if avail_points else "")]
        score, reason = sc.combine(parts)
        profiles.append(sc.CandidateProfile(
            row.id, label(row.occupation), sc.split_list(row.interests), sc.split_list(row.skills), region,
            row.hours_wanted, avail_text, score, reason))
    profiles.sort(key=lambda p: (-p.score, p.candidate_id))
    return profiles[:limit]


def candidates_for_request(session: Session, occupation: str | None, gemeente_code: str | None,
                           hours: int | None, limit: int = 5, today: dt.date | None = None,
                           skills: str | None = None) -> list[sc.CandidateProfile]:
    """Anonymous profiles for an employer's question ("magazijnmedewerker in Gouda, 24 uur")."""
    if not occupation:
        return []
    return _rank_candidates(session, occupation, area_for(gemeente_code), hours, hours, skills, limit,
                            today or dt.date.today())


def candidates_for_vacancy(session: Session, vacancy_id: int, limit: int = 5,
                           today: dt.date | None = None) -> list[sc.CandidateProfile]:
    """Anonymous profiles for a vacancy (any status: staff may match a concept vacancy too)."""
    vac = session.get(Vacancy, vacancy_id)
    if vac is None or not vac.occupation:
        return []
    return _rank_candidates(session, vac.occupation, area_for(vac.gemeente_code), vac.hours_min, vac.hours_max,
                            vac.skills, limit, today or dt.date.today())
