"""Employer flows: vacancy intake from the chat and callback requests (incl. candidate proposals)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from placement.matching import candidates_for_request
from placement.matching.area import region_code_of
from placement.models import Employer, Lead, Vacancy
from placement.occupation_normaliser import esco_fields
from placement.occupations import normalise
from placement.queries import find_gemeente, suggest_gemeenten
from placement.services.routing import Routed, create_lead, find_employer, region_for_user, routed

PROPOSAL_TOPIC = "Kandidaten voorstellen"


def clean_text(value: object, limit: int = 120) -> str:
    """User text for storage and echo: no markup or control characters, single spaces, bounded."""
    text = re.sub(r"[<>\x00-\x1f\x7f]", " ", str(value or ""))
    return " ".join(text.split())[:limit]


def phone_like(text: str) -> bool:
    """Seven or more digits in a row, also as "06-1234 5678": a phone number, never hours or an id."""
    return re.search(r"\d{7,}", re.sub(r"(?<=\d)[ \-.](?=\d)", "", text)) is not None



def parse_hours(value: object) -> int | None:
    """"24", "24 uur", 24.0 → 24 (1–40); anything else → None."""
    text = str(value or "")[:200]
    match = re.search(r"\d{1,3}", text)
    if not match or phone_like(text):  # "0612345678" is a phone number, not 61 hours
        return None
    hours = int(match.group())
    return hours if 1 <= hours <= 40 else None


@dataclass(frozen=True)
class VacancyIntake:
    outcome: str  # "ok" or "unknown_gemeente"
    vacancy_id: int | None = None
    routed: Routed | None = None
    existing_employer: bool = False
    suggestions: list[str] = field(default_factory=list)


def _match_employer(session: Session, name: str, gemeente_code: str, email: str | None,
                    phone: str | None) -> Employer | None:
    """The known employer with this name and the same contact details or gemeente."""
    for employer in session.scalars(select(Employer).where(func.lower(Employer.name) == name.lower())
                                    .order_by(Employer.id)):
        same_mail = bool(email and employer.contact_email and employer.contact_email.lower() == email.lower())
        same_phone = bool(phone and employer.contact_phone == phone)
        if same_mail or same_phone or employer.gemeente_code == gemeente_code:
            return employer
    return None


def submit_vacancy(session: Session, *, sender_id: str, channel: str | None, company_name: str, job_title: str,
                   location: str, hours: object, contact_name: str | None, phone: str | None,
                   email: str | None) -> VacancyIntake:
    """Employer (found or new) + concept vacancy (origin chat) + lead for the region's accountmanager."""
    gemeente = find_gemeente(location)
    if gemeente is None:
        return VacancyIntake("unknown_gemeente", suggestions=suggest_gemeenten(clean_text(location, 60)))
    name, title = clean_text(company_name, 200), clean_text(job_title, 200)
    contact = clean_text(contact_name) or None
    phone, email = clean_text(phone, 30) or None, clean_text(email, 200) or None
    topic = f"Nieuwe vacature via de chat: {title}"[:200]
    repeat = session.scalar(select(Lead).where(Lead.sender_id == sender_id, Lead.kind == "vacancy_intake",
                                               Lead.topic == topic, Lead.status == "nieuw").limit(1))
    if repeat is not None:  # the same form submitted twice: one vacancy
        return VacancyIntake("ok", repeat.vacancy_id, routed(session, repeat), True)
    occ = normalise(title)
    employer = _match_employer(session, name, gemeente.code, email, phone)
    existing = employer is not None
    note = ""
    if employer is None:
        employer = Employer(name=name, sector=occ.sector if occ else None, gemeente_code=gemeente.code,
                            contact_name=contact, contact_email=email, contact_phone=phone)
        session.add(employer)
        session.flush()
    elif not (employer.contact_email or employer.contact_phone):
        employer.contact_name, employer.contact_email, employer.contact_phone = contact, email, phone
    elif (employer.contact_email or "").lower() != (email or "").lower() and employer.contact_phone != phone:
        note = "Bestaande werkgever: de contactgegevens uit de chat wijken af van de bekende gegevens."
    hours_value = parse_hours(hours)
    vacancy = Vacancy(employer_id=employer.id, title=title[:1].upper() + title[1:],
                      occupation=occ.code if occ else None, **esco_fields(title),
                      description="Aangemeld via de chat.", hours_min=hours_value or 1, hours_max=hours_value or 40,
                      gemeente_code=gemeente.code, sector=occ.sector if occ else employer.sector, status="concept",
                      origin="chat")
    session.add(vacancy)
    session.flush()
    if hours_value is None:
        note = (note + " Aantal uren onbekend.").strip()
    _lead, route = create_lead(
        session, "vacancy_intake", "accountmanager", region_code_of(employer.gemeente_code),
        sector=employer.sector or vacancy.sector, topic=topic, sender_id=sender_id, channel=channel,
        contact_name=contact, contact_phone=phone, contact_email=email, employer_id=employer.id,
        vacancy_id=vacancy.id, note=note)
    return VacancyIntake("ok", vacancy.id, route, existing)


def submit_callback(session: Session, *, sender_id: str, channel: str | None, role: str | None,
                    contact_name: str | None, phone: str | None, email: str | None = None,
                    preferred_moment: str | None = None, topic: str | None = None, location: str | None = None,
                    company_name: str | None = None, job_title: str | None = None,
                    hours: object = None) -> Routed:
    """A callback lead routed to the accountmanager (employers) or consulent (job seekers) of the region.

    A topic starting with PROPOSAL_TOPIC (set by the candidate search) makes it a candidate proposal;
    the lead's note then lists the matching candidates, so staff know whom to propose.
    """
    topic = clean_text(topic, 200) or "Terugbelverzoek"
    kind = "candidate_proposal" if topic.startswith(PROPOSAL_TOPIC) else "callback"
    fields = dict(contact_name=clean_text(contact_name) or None, contact_phone=clean_text(phone, 30) or None,
                  contact_email=clean_text(email, 200) or None,
                  preferred_moment=clean_text(preferred_moment) or None)
    repeat = session.scalar(select(Lead).where(Lead.sender_id == sender_id, Lead.kind == kind, Lead.topic == topic,
                                               Lead.status == "nieuw").order_by(Lead.id).limit(1))
    if repeat is not None:  # asked twice: update the same lead
        for key, value in fields.items():
            setattr(repeat, key, value or getattr(repeat, key))
        return routed(session, repeat)
    employer = find_employer(session, company_name)
    occ = normalise(job_title)
    note = ""
    if kind == "candidate_proposal" and job_title:
        gemeente = find_gemeente(location)
        found = candidates_for_request(session, job_title, gemeente.code if gemeente else None, parse_hours(hours))
        note = "Kandidaten (id): " + ", ".join(str(p.candidate_id) for p in found)
    staff_role = "consulent" if role == "werkzoekende" else "accountmanager"
    region = region_for_user(session, sender_id, location, company_name)
    sector = (employer.sector if employer else None) or (occ.sector if occ else None)
    _lead, route = create_lead(
        session, kind, staff_role, region, sector=sector, topic=topic, sender_id=sender_id, channel=channel,
        employer_id=employer.id if employer else None, note=note, **fields)
    return route
