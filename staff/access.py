"""Who may see which record. One place, used by every query and every detail page.

Rules (docs/staff-guide.md repeats them for staff):
- Admins see everything.
- Others see conversations and leads of their own regions, plus a conversation they have taken
  over (while they have it) and a lead assigned to them.
- A conversation or lead without a region (the user never said where) is visible to admins only;
  the exception is the handoff queue: a *requested* handoff without region is offered to all staff
  whose role fits, because a person asked for help. Whoever takes it may then read it.
- Handoff queue by role: employers (werkgever) go to accountmanagers, job seekers (werkzoekende) to
  consulenten and jobcoaches; an unknown role goes to everyone in the region.
- Publishing a concept vacancy: accountmanagers and admins, within their regions.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import false, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from placement.models import Conversation, Gemeente, Lead

ROLE_LABELS = {"admin": "beheerder", "accountmanager": "accountmanager", "consulent": "consulent",
               "jobcoach": "jobcoach"}
QUEUE_ROLES = {"werkgever": ("accountmanager",), "werkzoekende": ("consulent", "jobcoach")}
PUBLISH_ROLES = ("accountmanager", "admin")


@dataclass(frozen=True)
class Staff:
    """The signed-in staff member, as the request sees them."""

    id: int
    name: str
    email: str
    role: str
    regions: tuple[str, ...]
    session_id: str
    csrf_token: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name else "medewerker"

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


def conversation_scope(staff: Staff, session: Session) -> ColumnElement:
    """SQL filter for the conversations this staff member may read.

    The (few) conversations someone has taken from another region are looked up first, so the main
    condition stays a plain `region_code IN (...)` that can use the (region, last message) index.
    """
    if staff.is_admin:
        return true()
    taken = list(session.scalars(select(Conversation.id).where(Conversation.handoff_state == "active",
                                                               Conversation.handoff_staff_id == staff.id)))
    mine = Conversation.region_code.in_(staff.regions) if staff.regions else false()
    return or_(mine, Conversation.id.in_(taken)) if taken else mine


def can_see_conversation(staff: Staff, conversation: Conversation) -> bool:
    taken = conversation.handoff_state == "active" and conversation.handoff_staff_id == staff.id
    return (staff.is_admin or taken
            or (conversation.region_code is not None and conversation.region_code in staff.regions))


def _role_fits(staff: Staff, audience: str | None) -> bool:
    return staff.is_admin or audience not in QUEUE_ROLES or staff.role in QUEUE_ROLES[audience]


def queue_scope(staff: Staff) -> ColumnElement:
    """Requested handoffs this staff member may take."""
    if staff.is_admin:
        return Conversation.handoff_state == "requested"
    region = or_(Conversation.region_code.is_(None), Conversation.region_code.in_(staff.regions))
    audiences = [Conversation.role.is_(None), Conversation.role.notin_(tuple(QUEUE_ROLES))]
    audiences += [Conversation.role == audience for audience, roles in QUEUE_ROLES.items() if staff.role in roles]
    return (Conversation.handoff_state == "requested") & region & or_(*audiences)


def can_take(staff: Staff, conversation: Conversation) -> bool:
    if conversation.handoff_state != "requested":
        return False
    in_region = staff.is_admin or conversation.region_code is None or conversation.region_code in staff.regions
    return in_region and _role_fits(staff, conversation.role)


def lead_scope(staff: Staff) -> ColumnElement:
    if staff.is_admin:
        return true()
    mine = Lead.region_code.in_(staff.regions) if staff.regions else false()
    return or_(mine, Lead.assigned_staff_id == staff.id)


def can_see_lead(staff: Staff, lead: Lead) -> bool:
    return (staff.is_admin or lead.assigned_staff_id == staff.id
            or (lead.region_code is not None and lead.region_code in staff.regions))


def vacancy_scope(staff: Staff) -> ColumnElement:
    """Applies to a query joined with Gemeente (a vacancy's region is its gemeente's region)."""
    if staff.is_admin:
        return true()
    return Gemeente.region_code.in_(staff.regions) if staff.regions else false()


def can_publish(staff: Staff, region_code: str) -> bool:
    return staff.role in PUBLISH_ROLES and (staff.is_admin or region_code in staff.regions)
