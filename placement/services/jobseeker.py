"""Job seeker flows: registration, responding to a vacancy, application status."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from placement.clock import now
from placement.alerts.events import emit_candidate_registered
from placement.matching.area import gemeente_name, region_code_of
from placement.models import Application, Candidate, Lead, Vacancy
from placement.occupation_normaliser import esco_fields
from placement.occupations import label, normalise
from placement.queries import find_gemeente, suggest_gemeenten
from placement.services.employer import clean_text, parse_hours
from placement.services.routing import Routed, candidate_for, create_lead, routed

CONSENT_WORDS = {"true", "ja", "yes", "akkoord", "ik ga akkoord", "goed", "oke", "ok", "prima", "1"}



def has_consent(value: object) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in CONSENT_WORDS


MAX_VACANCY_ID = 999_999_999  # nine digits, well inside a 32-bit integer column


def parse_vacancy_ref(value: object) -> int | None:
    """"123", "nr. 123", "V-123", 123.0 → 123; no number → None."""
    # Bounded: an entity value such as 1e308, Infinity or NaN must never crash an action or a query.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value) if 1 <= value <= MAX_VACANCY_ID else None
    match = re.search(r"\d{1,9}", str(value or "")[:200])
    return int(match.group()) if match and int(match.group()) >= 1 else None


@dataclass(frozen=True)
class Registration:
    outcome: str  # "ok", "no_consent", "unknown_gemeente"
    created: bool = False
    occupation: str | None = None  # label, or None when the title was not recognised
    gemeente: str | None = None
    suggestions: tuple[str, ...] = ()


def register_candidate(session: Session, *, sender_id: str, job_title: str | None, location: str | None,
                       hours: object, consent: object) -> Registration:
    """Create or update the candidate of this conversation, with the moment of consent.

    Stores only what matching needs (occupation, gemeente, hours); no name or contact details.
    """
    if not has_consent(consent):
        return Registration("no_consent")
    gemeente = find_gemeente(location)
    if location and gemeente is None:
        return Registration("unknown_gemeente", suggestions=tuple(suggest_gemeenten(clean_text(location, 60))))
    occ = normalise(job_title)
    cand = candidate_for(session, sender_id)
    created = cand is None
    if cand is None:
        cand = Candidate(channel_key=sender_id, interests="", skills="")
        session.add(cand)
    cand.occupation = occ.code if occ else cand.occupation
    esco = esco_fields(job_title)
    if esco["isco_code"]:
        cand.esco_uri, cand.isco_code = esco["esco_uri"], esco["isco_code"]
    cand.gemeente_code = gemeente.code if gemeente else cand.gemeente_code
    cand.hours_wanted = parse_hours(hours) or cand.hours_wanted
    cand.available_from = cand.available_from or now().date()
    cand.active = True
    cand.consent_at = now()
    session.flush()
    emit_candidate_registered(session, cand.id)  # same transaction: employers' alerts follow the registration
    return Registration("ok", created, occ.label if occ else None, gemeente_name(cand.gemeente_code) or None)


@dataclass(frozen=True)
class ApplyResult:
    outcome: str  # "applied", "already", "not_found", "closed", "not_registered", "invalid"
    vacancy_id: int | None = None
    title: str | None = None
    status: str | None = None
    since: dt.datetime | None = None
    routed: Routed | None = None


def apply_for_vacancy(session: Session, *, sender_id: str, channel: str | None, vacancy_ref: object) -> ApplyResult:
    """An application for an open vacancy (never twice) and a lead for the consulent of the region."""
    vacancy_id = parse_vacancy_ref(vacancy_ref)
    if vacancy_id is None:
        return ApplyResult("invalid")
    vacancy = session.get(Vacancy, vacancy_id)
    if vacancy is None or vacancy.status == "concept":  # concept vacancies are not public yet
        return ApplyResult("not_found", vacancy_id)
    if vacancy.status != "open":
        return ApplyResult("closed", vacancy_id, vacancy.title, vacancy.status)
    cand = candidate_for(session, sender_id)
    if cand is None or cand.consent_at is None:
        return ApplyResult("not_registered", vacancy_id, vacancy.title)
    existing = _application(session, cand.id, vacancy_id)
    if existing is not None:
        return ApplyResult("already", vacancy_id, vacancy.title, existing.status, existing.created_at)
    try:
        with session.begin_nested():  # a parallel click may insert the same row: the constraint decides
            application = Application(candidate_id=cand.id, vacancy_id=vacancy_id, status="ingediend")
            session.add(application)
    except IntegrityError:
        existing = _application(session, cand.id, vacancy_id)
        return ApplyResult("already", vacancy_id, vacancy.title, existing.status, existing.created_at)
    region = region_code_of(cand.gemeente_code) or region_code_of(vacancy.gemeente_code)
    _lead, route = create_lead(
        session, "application", "consulent", region, topic=f"Reactie op vacature {vacancy_id}: {vacancy.title}"[:200],
        sender_id=sender_id, channel=channel, vacancy_id=vacancy_id, candidate_id=cand.id,
        employer_id=vacancy.employer_id, note=f"Kandidaat {cand.id} ({label(cand.occupation) or 'beroep onbekend'}).")
    return ApplyResult("applied", vacancy_id, vacancy.title, application.status, application.created_at, route)


def _application(session: Session, candidate_id: int, vacancy_id: int) -> Application | None:
    return session.scalar(select(Application).where(Application.candidate_id == candidate_id,
                                                    Application.vacancy_id == vacancy_id))


@dataclass(frozen=True)
class StatusItem:
    vacancy_id: int
    title: str
    status: str
    updated_at: dt.datetime
    vacancy_status: str


@dataclass(frozen=True)
class StatusResult:
    registered: bool
    items: tuple[StatusItem, ...] = ()
    consulent: str | None = None


def application_statuses(session: Session, sender_id: str, vacancy_ref: object = None) -> StatusResult:
    """The real status of this job seeker's applications (newest first), optionally one vacancy."""
    cand = candidate_for(session, sender_id)
    if cand is None:
        return StatusResult(False)
    query = (select(Application, Vacancy).join(Vacancy, Vacancy.id == Application.vacancy_id)
             .where(Application.candidate_id == cand.id).order_by(Application.created_at.desc(), Application.id.desc()))
    wanted = parse_vacancy_ref(vacancy_ref)
    if wanted is not None:
        query = query.where(Application.vacancy_id == wanted)
    items = tuple(StatusItem(v.id, v.title, a.status, a.updated_at, v.status) for a, v in session.execute(query))
    lead = session.scalar(select(Lead).where(Lead.candidate_id == cand.id, Lead.kind == "application")
                          .order_by(Lead.id.desc()).limit(1))
    return StatusResult(True, items, routed(session, lead).staff_name if lead else None)
