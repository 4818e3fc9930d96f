"""Beschut werk route, handoff to a person, office hours, and deleting a user's data."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from placement.alerts.retention import delete_for_conversations
from placement.matching.area import gemeente_rows
from placement.models import Application, Conversation, Employer, Lead, ServicePoint, Vacancy
from placement.queries import find_gemeente, suggest_gemeenten
from placement.reference import DATA, GemeenteRow
from placement.services.employer import clean_text
from placement.services.routing import Routed, candidate_for, create_lead, region_for_user, routed


@dataclass(frozen=True)
class Wsp:
    """A region's werkgeversservicepunt. `demo` rows have no real contact data (see SOURCES.md)."""

    region_code: str
    name: str
    phone: str
    email: str
    website: str
    demo: bool


@lru_cache
def werkgeversservicepunten() -> dict[str, Wsp]:
    with (DATA / "werkgeversservicepunten.csv").open(encoding="utf-8", newline="") as handle:
        return {r["region_code"]: Wsp(r["region_code"], r["wsp_name"], r["phone"], r["email"], r["website"],
                                      r["demo"].strip().lower() in ("ja", "true", "1"))
                for r in csv.DictReader(handle)}


def service_point(session: Session, region_code: str) -> Wsp | None:
    """The region's werkgeversservicepunt: the imported real contact (table service_point), else the
    shipped demo row, which has a name but no contact details (see placement/data/SOURCES.md)."""
    real = session.get(ServicePoint, region_code)
    if real is not None:
        return Wsp(region_code, real.name, real.phone or "", real.email or "", real.website or "", demo=False)
    return werkgeversservicepunten().get(region_code)


@dataclass(frozen=True)
class ShelteredRoute:
    outcome: str  # "ok", "unknown_gemeente", "no_location"
    gemeente: GemeenteRow | None = None
    wsp: Wsp | None = None
    suggestions: tuple[str, ...] = ()


def sheltered_work_route(session: Session, sender_id: str, location: str | None) -> ShelteredRoute:
    """Gemeente (named, or from the profile) → region → werkgeversservicepunt."""
    gemeente = find_gemeente(location)
    if location and gemeente is None:
        return ShelteredRoute("unknown_gemeente", suggestions=tuple(suggest_gemeenten(clean_text(location, 60))))
    if gemeente is None:
        cand = candidate_for(session, sender_id)
        gemeente = gemeente_rows().get(cand.gemeente_code) if cand and cand.gemeente_code else None
    if gemeente is None:
        return ShelteredRoute("no_location")
    return ShelteredRoute("ok", gemeente, service_point(session, gemeente.region_code))


@dataclass(frozen=True)
class Handoff:
    routed: Routed
    conversation_found: bool
    repeated: bool


def request_handoff(session: Session, *, sender_id: str, channel: str | None, role: str | None,
                    location: str | None = None, company_name: str | None = None) -> Handoff:
    """A handoff lead (one open lead per conversation) and conversation.handoff_state = requested."""
    conversation = session.get(Conversation, sender_id)
    if conversation is not None and conversation.handoff_state == "none":
        conversation.handoff_state = "requested"
    open_lead = session.scalar(select(Lead).where(Lead.sender_id == sender_id, Lead.kind == "handoff",
                                                  Lead.status.in_(("nieuw", "opgepakt"))).order_by(Lead.id).limit(1))
    if open_lead is not None:
        return Handoff(routed(session, open_lead), conversation is not None, True)
    if role not in ("werkgever", "werkzoekende"):
        role = "werkzoekende" if candidate_for(session, sender_id) else (conversation.role if conversation else None)
    region = region_for_user(session, sender_id, location, company_name)
    staff_role = "consulent" if role == "werkzoekende" else "accountmanager"
    _lead, route = create_lead(session, "handoff", staff_role, region, topic="Wil een medewerker spreken",
                               sender_id=sender_id, channel=channel)
    return Handoff(route, conversation is not None, False)


@dataclass(frozen=True)
class Deleted:
    candidates: int = 0
    applications: int = 0
    leads: int = 0
    vacancies: int = 0


def delete_user_data(session: Session, sender_id: str) -> Deleted:
    """Delete the placement data of this conversation: profile, applications, leads, concept vacancies.

    Employer contact details that came from this chat are cleared; the company itself and vacancies
    staff already published stay (they are business data, not the person's).
    """
    delete_for_conversations(session, [sender_id])  # alert consent and history go first (issue 16)
    cand = candidate_for(session, sender_id)
    applications = 0
    lead_filter = Lead.sender_id == sender_id
    if cand is not None:
        applications = session.execute(delete(Application).where(Application.candidate_id == cand.id)).rowcount
        lead_filter = or_(lead_filter, Lead.candidate_id == cand.id)
    leads = list(session.scalars(select(Lead).where(lead_filter)))
    vacancy_ids = {lead.vacancy_id for lead in leads if lead.kind == "vacancy_intake" and lead.vacancy_id}
    for lead in leads:
        employer = session.get(Employer, lead.employer_id) if lead.employer_id else None
        same_phone = employer is not None and lead.contact_phone and employer.contact_phone == lead.contact_phone
        same_mail = employer is not None and lead.contact_email and employer.contact_email == lead.contact_email
        if same_phone or same_mail:
            employer.contact_name = employer.contact_email = employer.contact_phone = None
        session.delete(lead)
    session.flush()
    vacancies = 0
    if vacancy_ids:
        concept_from_chat = (Vacancy.id.in_(sorted(vacancy_ids)), Vacancy.status == "concept", Vacancy.origin == "chat")
        vacancies = session.execute(delete(Vacancy).where(*concept_from_chat)).rowcount
    if cand is not None:
        session.delete(cand)
    session.flush()
    return Deleted(1 if cand else 0, applications, len(leads), vacancies)
