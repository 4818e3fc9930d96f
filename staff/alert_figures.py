"""Match alert figures and lists for the staff workspace (issue 16), within the staff member's regions.

A subscription's region is the region of its gemeente (job seeker) or vacancy (employer), stored on
the subscription (`region_code`). Staff see alerts by the conversation's staff `ref`, never the raw
conversation id, and an employer alert by candidate number only (the profile was anonymous).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, false, func, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from placement.alerts.models import Alert, AlertSubscription
from placement.models import Vacancy
from placement.reference import regions
from staff.access import Staff
from staff.summary import conversation_ref


def subscription_scope(staff: Staff) -> ColumnElement:
    if staff.is_admin:
        return true()
    return AlertSubscription.region_code.in_(staff.regions) if staff.regions else false()


@dataclass(frozen=True)
class RegionFigures:
    region_code: str | None
    region_name: str
    sent: int
    opened: int
    applied: int
    stopped: int


def per_region(session: Session, staff: Staff) -> list[RegionFigures]:
    """Sent (pushed or shown), opened (a button pressed), applied, and stopped subscriptions per region."""
    s, a = AlertSubscription, Alert
    figures: dict[str | None, list[int]] = {}
    rows = session.execute(
        select(s.region_code, func.count(a.sent_at), func.count(a.opened_at),
               func.sum(case((a.status == "gesolliciteerd", 1), else_=0)))
        .join(s, s.id == a.subscription_id).where(subscription_scope(staff)).group_by(s.region_code))
    for region, sent, opened, applied in rows:
        figures[region] = [sent or 0, opened or 0, int(applied or 0), 0]
    for region, stopped in session.execute(select(s.region_code, func.count()).where(
            subscription_scope(staff), s.status == "gestopt").group_by(s.region_code)):
        figures.setdefault(region, [0, 0, 0, 0])[3] = stopped
    names = regions()
    return sorted((RegionFigures(code, names.get(code or "", "onbekend"), *values)
                   for code, values in figures.items()), key=lambda f: f.region_name)


@dataclass(frozen=True)
class AlertRow:
    id: int
    ref: str
    kind: str
    channel: str
    vacancy: str
    candidate_id: int | None
    status: str
    feedback: str | None
    created_at: object
    sent_at: object
    region_code: str | None


def alert_rows(session: Session, staff: Staff, status: str | None, limit: int, offset: int) -> tuple[int, list]:
    """The newest alerts (what was sent to whom), with the total for paging."""
    s, a = AlertSubscription, Alert
    where = [subscription_scope(staff)] + ([a.status == status] if status else [])
    total = session.scalar(select(func.count()).select_from(a).join(s, s.id == a.subscription_id).where(*where)) or 0
    rows = session.execute(
        select(a, s.conversation_id, s.kind, s.channel, s.region_code, Vacancy.title)
        .join(s, s.id == a.subscription_id).outerjoin(Vacancy, Vacancy.id == a.vacancy_id).where(*where)
        .order_by(a.created_at.desc(), a.id.desc()).limit(limit).offset(offset)).all()
    return total, [AlertRow(alert.id, conversation_ref(conv), kind, channel, f"nr. {alert.vacancy_id} {title or ''}",
                            alert.candidate_id if kind == "werkgever" else None, alert.status, alert.feedback,
                            alert.created_at, alert.sent_at, region) for alert, conv, kind, channel, region, title in rows]


@dataclass(frozen=True)
class PausedRow:
    ref: str
    kind: str
    channel: str
    reason: str
    since: object
    region_code: str | None


def paused(session: Session, staff: Staff, limit: int = 100) -> list[PausedRow]:
    """Paused subscriptions with the reason (e.g. the user blocked the bot on Telegram)."""
    s = AlertSubscription
    rows = session.scalars(select(s).where(subscription_scope(staff), s.status == "gepauzeerd")
                           .order_by(s.id.desc()).limit(limit))
    return [PausedRow(conversation_ref(r.conversation_id), r.kind, r.channel, r.paused_reason or "onbekend",
                      r.consented_at, r.region_code) for r in rows]
