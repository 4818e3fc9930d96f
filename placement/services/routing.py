"""Leads and who picks them up: the staff member of the right role in the right region.

Routing rule: active staff with the role in the region; an accountmanager whose sector matches the
employer's sector comes first, then generalists (no sector), then the others; among equals the one
with the fewest open leads, then the lowest id (deterministic).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from placement.clock import now
from placement.matching.area import region_code_of
from placement.models import Candidate, Conversation, Employer, Lead, StaffMember, StaffRegion
from placement.queries import find_gemeente

OPEN_LEAD_STATUSES = ("nieuw", "opgepakt")


@dataclass(frozen=True)
class Routed:
    """What the user hears about a lead: reference, who, and the region."""

    lead_id: int
    reference: str
    staff_name: str | None
    staff_role: str | None
    region_code: str | None
    region_name: str | None


def lead_reference(lead_id: int) -> str:
    return f"WP-{lead_id:05d}"


def pick_staff(session: Session, role: str, region_code: str | None, sector: str | None = None) -> StaffMember | None:
    if not region_code:
        return None
    staff = list(session.scalars(
        select(StaffMember).join(StaffRegion, StaffRegion.staff_id == StaffMember.id)
        .where(StaffRegion.region_code == region_code, StaffMember.role == role, StaffMember.active.is_(True))
        .order_by(StaffMember.id)))
    if not staff:
        return None
    load = dict(session.execute(
        select(Lead.assigned_staff_id, func.count()).where(
            Lead.assigned_staff_id.in_([s.id for s in staff]), Lead.status.in_(OPEN_LEAD_STATUSES))
        .group_by(Lead.assigned_staff_id)).all())

    def rank(member: StaffMember) -> tuple[int, int, int]:
        if sector and member.sector and member.sector.lower() == sector.lower():
            fit = 0
        else:
            fit = 1 if not member.sector else 2
        return fit, load.get(member.id, 0), member.id

    return min(staff, key=rank)


def create_lead(session: Session, kind: str, role: str, region_code: str | None, sector: str | None = None,
                **fields) -> tuple[Lead, Routed]:
    """Insert a lead assigned to the right staff member; returns it with what to tell the user."""
    staff = pick_staff(session, role, region_code, sector)
    lead = Lead(kind=kind, region_code=region_code, assigned_staff_id=staff.id if staff else None, **fields)
    session.add(lead)
    session.flush()
    return lead, routed(session, lead, staff)


def recent_leads(session: Session, sender_id: str | None, hours: float = 1.0) -> int:
    """How many leads this conversation created in the last `hours` (for the per-hour limit)."""
    if not sender_id:
        return 0
    since = now() - dt.timedelta(hours=hours)
    return session.scalar(select(func.count()).select_from(Lead)
                          .where(Lead.sender_id == sender_id, Lead.created_at >= since)) or 0


def routed(session: Session, lead: Lead, staff: StaffMember | None = None) -> Routed:
    staff = staff or (session.get(StaffMember, lead.assigned_staff_id) if lead.assigned_staff_id else None)
    from placement.reference import regions

    return Routed(lead.id, lead_reference(lead.id), staff.name if staff else None, staff.role if staff else None,
                  lead.region_code, regions().get(lead.region_code or ""))


def candidate_for(session: Session, sender_id: str | None) -> Candidate | None:
    """The registered job seeker of this conversation (channel_key = Rasa sender id)."""
    if not sender_id:
        return None
    return session.scalar(select(Candidate).where(Candidate.channel_key == sender_id))


def find_employer(session: Session, company_name: str | None) -> Employer | None:
    """An employer by name (case and spaces ignored); the oldest if there are several."""
    name = " ".join((company_name or "").split()).lower()
    if not name:
        return None
    return session.scalar(select(Employer).where(func.lower(Employer.name) == name).order_by(Employer.id).limit(1))


def region_for_user(session: Session, sender_id: str | None, location: str | None = None,
                    company_name: str | None = None) -> str | None:
    """Best guess of the user's region: the place they named, their profile, their company, the chat."""
    gemeente = find_gemeente(location)
    if gemeente:
        return gemeente.region_code
    cand = candidate_for(session, sender_id)
    if cand and cand.gemeente_code:
        return region_code_of(cand.gemeente_code)
    employer = find_employer(session, company_name)
    if employer:
        return region_code_of(employer.gemeente_code)
    conversation = session.get(Conversation, sender_id) if sender_id else None
    return conversation.region_code if conversation else None
