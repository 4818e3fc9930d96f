"""Tables of the match alerts. The schema is owned by migration 0011; no business logic here.

A subscription is one person's consent to be told about new matches, for this purpose alone:
a job seeker (criteria from their search or registration) or an employer (one open vacancy).
`alert_event` is an outbox: publishing a vacancy or registering a candidate adds a row in the same
transaction, and the alert job matches it later, so the chat never waits for matching.
An alert is one (person, match) pair; `pair_key` is unique, so a pair is never alerted twice.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from placement.clock import now
from placement.models import NO_REUSE, Base, Candidate, Vacancy, _enum

SUBSCRIBER_KINDS = ("werkzoekende", "werkgever")
FREQUENCIES = ("direct", "dagelijks")
SUBSCRIPTION_STATUSES = ("actief", "gestopt", "gepauzeerd")
# wachtend: matched, not yet delivered (quiet hours, digest, or a web chat user who has not returned)
# verzonden: pushed to Telegram or shown in the web chat; geopend: a button under it was pressed
ALERT_STATUSES = ("wachtend", "verzonden", "geopend", "gesolliciteerd", "niet_passend", "verlopen", "mislukt")
FEEDBACK_REASONS = ("ander_werk", "te_ver", "andere_uren")
EVENT_KINDS = ("vacature_gepubliceerd", "kandidaat_ingeschreven")


class AlertSubscription(Base):
    """One person's consent to match alerts, with what to match on and how often."""

    __tablename__ = "alert_subscription"
    __table_args__ = (
        Index("ix_alert_subscription_match", "status", "kind", "isco_code", "gemeente_code"),
        NO_REUSE,
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(64), index=True)  # Rasa sender id
    channel: Mapped[str] = mapped_column(String(20))  # "web" or "telegram"
    kind: Mapped[str] = mapped_column(_enum("subscriber_kind", SUBSCRIBER_KINDS))
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"), index=True)
    vacancy_id: Mapped[int | None] = mapped_column(ForeignKey("vacancy.id", ondelete="CASCADE"), index=True)
    job_title: Mapped[str | None] = mapped_column(String(200))  # as the person named it
    esco_uri: Mapped[str | None] = mapped_column(String(120))
    isco_code: Mapped[str | None] = mapped_column(String(4))
    gemeente_code: Mapped[str | None] = mapped_column(ForeignKey("gemeente.code"))
    radius_km: Mapped[int | None] = mapped_column(Integer)
    hours: Mapped[int | None] = mapped_column(Integer)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)
    frequency: Mapped[str] = mapped_column(_enum("alert_frequency", FREQUENCIES), default="direct")
    status: Mapped[str] = mapped_column(_enum("subscription_status", SUBSCRIPTION_STATUSES), default="actief")
    paused_reason: Mapped[str | None] = mapped_column(String(40))  # e.g. "telegram_geblokkeerd"
    consented_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    stopped_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_digest_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class Alert(Base):
    """One match told (or waiting to be told) to one subscriber."""

    __tablename__ = "alert"
    __table_args__ = (Index("ix_alert_status_due", "status", "due_at"), NO_REUSE)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("alert_subscription.id", ondelete="CASCADE"), index=True)
    # "w:<conversation_id>:<vacancy_id>" for a job seeker, "e:<vacancy_id>:<candidate_id>" for an employer
    pair_key: Mapped[str] = mapped_column(String(120), unique=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancy.id", ondelete="CASCADE"), index=True)
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"), index=True)
    score: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str] = mapped_column(String(300), default="")  # the same explanation as the chat search
    status: Mapped[str] = mapped_column(_enum("alert_status", ALERT_STATUSES), default="wachtend")
    feedback: Mapped[str | None] = mapped_column(_enum("alert_feedback", FEEDBACK_REASONS), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    due_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)  # not before (quiet hours, digest)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    opened_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reacted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    subscription: Mapped[AlertSubscription] = relationship()
    vacancy: Mapped[Vacancy] = relationship()
    candidate: Mapped[Candidate | None] = relationship()


class AlertEvent(Base):
    """Outbox row: something happened that may make new matches; processed once by the alert job."""

    __tablename__ = "alert_event"
    __table_args__ = (Index("ix_alert_event_pending", "processed_at", "id"), NO_REUSE)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(_enum("alert_event_kind", EVENT_KINDS))
    object_id: Mapped[int] = mapped_column(Integer)  # vacancy.id or candidate.id
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    processed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
