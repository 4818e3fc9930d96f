"""Retention: every store loses what is older than its period (settings RETENTION_*). Safe to run daily.

The running stack runs it every day (werkpunt/retention_job.py); `python -m staff.cli retention` runs it
by hand. What "older than the period" means, per kind (cutoff = now − that kind's days):
1. Conversations (RETENTION_DAYS): a conversation whose last message is before the cutoff is deleted
   entirely: its Rasa events, chat_message rows and (by cascade) summary, intents, tags, corrections,
   handoff log and button payloads. In conversations that are still active, messages, Rasa events and
   corrections from before the cutoff go too (a Telegram chat keeps one id for years). Rasa events of
   senders without a conversation row go when they are before the cutoff; so do Telegram update ids
   and stored button payloads.
2. Leads (RETENTION_LEAD_DAYS): a lead (name, phone, e-mail of the person asking) made before the cutoff.
3. Unfinished registrations (RETENTION_UNREGISTERED_DAYS): a candidate without consent, created before
   the cutoff (its applications and leads cascade). A completed registration stays until the user has
   it deleted ("verwijder mijn gegevens").
4. Contact persons of concept vacancies (RETENTION_CONCEPT_CONTACT_DAYS): an employer whose vacancies
   all stayed concept (never published) and whose newest vacancy is before the cutoff loses its contact
   name, phone and e-mail; the company and the concept vacancy stay (no personal data).
5. Audit IP addresses (RETENTION_AUDIT_IP_DAYS): `ip` becomes NULL on older audit rows (migration 0008
   allows exactly this update); who did what and when stays.
6. Match alerts (RETENTION_ALERT_DAYS, placement/alerts/retention.py): alerts no longer waiting, made
   before the cutoff; stopped subscriptions stopped before it, with their alerts. The subscriptions and
   alerts of a deleted conversation (1.) go with it.
Expired staff sessions are purged. The run is written to the audit log with counts only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

from sqlalchemy import Engine, and_, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session

from bot.models import ButtonPayload, ChatMessage, TelegramUpdate
from placement import clock
from placement.alerts import retention as alert_retention
from placement.db import session_factory
from placement.models import Candidate, Conversation, Employer, Lead, Vacancy
from staff import audit, summary, tracker
from staff.models import AuditLog, NluCorrection
from staff.security import Policy, purge_expired_sessions

CHUNK = 500
RUN_ACTION = "retention.run"
SYSTEM = "systeem"


@dataclass(frozen=True)
class Periods:
    """Days each kind of data is kept; the defaults are those of the settings (and the README)."""

    conversations: int = 90
    leads: int = 180
    unregistered: int = 30
    concept_contacts: int = 60
    audit_ips: int = 90
    alerts: int = 90

    @classmethod
    def from_settings(cls, settings) -> Periods:
        return cls(conversations=settings.retention_days, leads=settings.retention_lead_days,
                   unregistered=settings.retention_unregistered_days,
                   concept_contacts=settings.retention_concept_contact_days,
                   audit_ips=settings.retention_audit_ip_days, alerts=settings.retention_alert_days)

    def days(self) -> str:
        return (f"{self.conversations}/{self.leads}/{self.unregistered}/{self.concept_contacts}/"
                f"{self.audit_ips} dagen")

    def __str__(self) -> str:
        return (f"gesprekken {self.conversations}, leads {self.leads}, inschrijvingen {self.unregistered}, "
                f"contactpersonen {self.concept_contacts}, IP {self.audit_ips} dagen")


@dataclass
class Result:
    conversations: int = 0
    messages: int = 0
    events: int = 0
    corrections: int = 0
    leads: int = 0
    candidates: int = 0
    employer_contacts: int = 0
    audit_ips: int = 0
    sessions: int = 0
    alerts: int = 0

    def __str__(self) -> str:
        return (f"{self.conversations} gesprekken, {self.messages} berichten, {self.events} Rasa-events, "
                f"{self.corrections} correcties, {self.leads} leads, {self.candidates} onvoltooide inschrijvingen, "
                f"{self.employer_contacts} contactpersonen, {self.audit_ips} IP-adressen "
                f"{self.alerts} meldingen van nieuw werk en {self.sessions} verlopen sessies verwijderd")

    def total(self) -> int:
        return sum(getattr(self, f.name) for f in fields(self))

    def short(self) -> str:
        """Counts for the audit row (at most 200 characters)."""
        return (f"gesprekken {self.conversations}, berichten {self.messages}, events {self.events}, "
                f"correcties {self.corrections}, leads {self.leads}, inschrijvingen {self.candidates}, "
                f"contactpersonen {self.employer_contacts}, IP {self.audit_ips}, sessies {self.sessions}, "
                f"meldingen {self.alerts}")


def run(engine: Engine, tracker_engine: Engine | None, periods: Periods | int, policy: Policy | None = None,
        now: dt.datetime | None = None, dry_run: bool = False) -> Result:
    """Apply every period; an int means 'conversations this many days, the rest their defaults'."""
    if isinstance(periods, int):
        periods = Periods(conversations=periods)
    moment = now or clock.now()

    def cutoff(days: int) -> dt.datetime:
        return moment - dt.timedelta(days=days)

    result = Result()
    with session_factory(engine)() as session:
        old = list(session.scalars(select(Conversation.id)
                                   .where(Conversation.last_message_at < cutoff(periods.conversations))))
        result.conversations = len(old)
        touched: list[str] = []
        if tracker_engine is not None and tracker.has_events_table(tracker_engine):
            with tracker_engine.begin() as conn:
                result.events, touched = _purge_events(conn, old, tracker.to_timestamp(cutoff(periods.conversations)),
                                                       dry_run)
        _conversations(session, result, old, cutoff(periods.conversations), dry_run)
        result.alerts = alert_retention.purge(session, cutoff(periods.alerts), dry_run)
        result.leads = _purge(session, Lead, Lead.created_at < cutoff(periods.leads), dry_run)
        result.candidates = _purge(session, Candidate, and_(Candidate.consent_at.is_(None),
                                                            Candidate.created_at < cutoff(periods.unregistered)),
                                   dry_run)
        result.employer_contacts = _concept_contacts(session, cutoff(periods.concept_contacts), dry_run)
        result.audit_ips = _erase(session, AuditLog, and_(AuditLog.ip.is_not(None),
                                                          AuditLog.at < cutoff(periods.audit_ips)),
                                  {"ip": None}, dry_run)
        if not dry_run:
            if policy is not None:
                result.sessions = purge_expired_sessions(session, policy)
            gone = set(old)
            summary.rebuild(session, tracker_engine, [cid for cid in touched if cid not in gone
                                                      and session.get(Conversation, cid) is not None])
            audit.record(session, RUN_ACTION, actor=SYSTEM, at=moment,
                         detail=f"{result.short()} ({periods.days()})"[:200])
            session.commit()
    return result


def last_run(engine: Engine) -> dt.datetime | None:
    """When the retention job last completed (its audit row), or None if it never ran here."""
    with session_factory(engine)() as session:
        return session.scalar(select(func.max(AuditLog.at)).where(AuditLog.action == RUN_ACTION,
                                                                  AuditLog.actor == SYSTEM))


def _conversations(session: Session, result: Result, old: list[str], cutoff: dt.datetime, dry_run: bool) -> None:
    # Messages and corrections first (those of old conversations are all before the cutoff too), so
    # that the counts include them; then the conversations, which cascade to the rest.
    result.messages = _purge(session, ChatMessage, ChatMessage.created_at < cutoff, dry_run)
    result.corrections = _purge(session, NluCorrection, NluCorrection.message_at < cutoff, dry_run)
    _purge(session, TelegramUpdate, TelegramUpdate.received_at < cutoff, dry_run)  # ids only, no content
    _purge(session, ButtonPayload, ButtonPayload.created_at < cutoff, dry_run)  # may hold a typed place or job
    if not dry_run:
        alert_retention.delete_for_conversations(session, old)
        for start in range(0, len(old), CHUNK):
            session.execute(delete(Conversation).where(Conversation.id.in_(old[start:start + CHUNK])))


def _concept_contacts(session: Session, cutoff: dt.datetime, dry_run: bool) -> int:
    """Employers with a contact person, only concept vacancies, and none of them newer than the cutoff."""
    vacancy = select(Vacancy.id).where(Vacancy.employer_id == Employer.id)
    stale = and_(
        or_(Employer.contact_name.is_not(None), Employer.contact_email.is_not(None),
            Employer.contact_phone.is_not(None)),
        exists(vacancy),
        ~exists(vacancy.where(or_(Vacancy.status != "concept", Vacancy.created_at >= cutoff))),
    )
    return _erase(session, Employer, stale, {"contact_name": None, "contact_email": None, "contact_phone": None},
                  dry_run)


def _purge_events(conn, old: list[str], cutoff_ts: float, dry_run: bool) -> tuple[int, list[str]]:
    """Events of old conversations, and any event before the cutoff. Returns (count, senders touched)."""
    events = tracker.events
    touched = sorted(conn.scalars(select(events.c.sender_id).where(events.c.timestamp < cutoff_ts).distinct()))
    count = 0
    for start in range(0, len(old), CHUNK):
        in_chunk = events.c.sender_id.in_(old[start:start + CHUNK])
        if dry_run:  # the newer events of old conversations; the older ones are counted below
            count += conn.scalar(select(func.count()).select_from(events).where(in_chunk,
                                                                                 events.c.timestamp >= cutoff_ts))
        else:
            count += conn.execute(events.delete().where(in_chunk)).rowcount or 0
    older = events.c.timestamp < cutoff_ts
    if dry_run:
        count += conn.scalar(select(func.count()).select_from(events).where(older)) or 0
    else:
        count += conn.execute(events.delete().where(older)).rowcount or 0
    return count, touched


def _purge(session: Session, model, condition, dry_run: bool) -> int:
    if dry_run:
        return session.scalar(select(func.count()).select_from(model).where(condition)) or 0
    return session.execute(delete(model).where(condition)).rowcount or 0


def _erase(session: Session, model, condition, values: dict, dry_run: bool) -> int:
    """Set personal columns to NULL (Core UPDATE, so the ORM's append-only guard on AuditLog is not involved)."""
    if dry_run:
        return session.scalar(select(func.count()).select_from(model).where(condition)) or 0
    return session.execute(update(model).where(condition).values(**values)
                           .execution_options(synchronize_session=False)).rowcount or 0
