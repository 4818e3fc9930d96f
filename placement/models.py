"""ORM models of the placement database. The schema itself is owned by the Alembic migrations.

No business logic here: queries live in `placement/queries.py`, matching in `placement/matching/`.
Other packages keep their tables next to their code on this `Base` (`bot/models.py`, `staff/models.py`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from placement.clock import now

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

VACANCY_STATUSES = ("concept", "open", "closed", "filled")
APPLICATION_STATUSES = ("ingediend", "in_behandeling", "uitgenodigd", "afgewezen", "aangenomen", "ingetrokken")
PLACEMENT_KINDS = ("regulier", "detachering", "beschut_werk", "proefplaatsing")
STAFF_ROLES = ("accountmanager", "consulent", "jobcoach", "admin")
LEAD_KINDS = ("callback", "vacancy_intake", "handoff", "application", "candidate_proposal")
LEAD_STATUSES = ("nieuw", "opgepakt", "afgerond")
CONTRACT_TYPES = ("vast", "tijdelijk", "detachering", "beschut_werk", "proefplaatsing", "leerwerk")


# Ids that users or staff see (reference WP-00042, vacancy numbers, candidate numbers, URLs) are never
# reused after a deletion: AUTOINCREMENT on SQLite (without it SQLite hands out max(id)+1 again);
# PostgreSQL's serial sequences never go back anyway. Migration 0007 rebuilt the existing tables.
NO_REUSE = {"sqlite_autoincrement": True}


def _enum(name: str, values: tuple[str, ...]) -> Enum:
    # VARCHAR + CHECK on every engine: portable, and new values are a simple migration.
    return Enum(*values, name=name, native_enum=False, create_constraint=True, length=24)



class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Region(Base):
    """An arbeidsmarktregio with its werkgeversservicepunt."""

    __tablename__ = "region"
    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    gemeenten: Mapped[list[Gemeente]] = relationship(back_populates="region")


class RegionNeighbour(Base):
    """Two regions that border each other (stored both ways)."""

    __tablename__ = "region_neighbour"
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), primary_key=True)
    neighbour_code: Mapped[str] = mapped_column(ForeignKey("region.code"), primary_key=True)


class ServicePoint(Base):
    """Real contact details of a region's werkgeversservicepunt, imported by the operator
    (`python -m werkpunt.imports servicepunten`). Without a row the bot names no contact details."""

    __tablename__ = "service_point"
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(200))
    website: Mapped[str | None] = mapped_column(String(300))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now, onupdate=now)


class Gemeente(Base):
    __tablename__ = "gemeente"
    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    province: Mapped[str] = mapped_column(String(40))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    region: Mapped[Region] = relationship(back_populates="gemeenten")


class StaffMember(Base):
    __tablename__ = "staff_member"
    __table_args__ = NO_REUSE
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(_enum("staff_role", STAFF_ROLES))
    sector: Mapped[str | None] = mapped_column(String(60))
    phone: Mapped[str | None] = mapped_column(String(30))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    regions: Mapped[list[StaffRegion]] = relationship(cascade="all, delete-orphan")


class StaffRegion(Base):
    __tablename__ = "staff_region"
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id", ondelete="CASCADE"), primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), primary_key=True, index=True)


class Employer(Base):
    __tablename__ = "employer"
    __table_args__ = NO_REUSE
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    sector: Mapped[str | None] = mapped_column(String(60))
    gemeente_code: Mapped[str] = mapped_column(ForeignKey("gemeente.code"), index=True)
    contact_name: Mapped[str | None] = mapped_column(String(120))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class Vacancy(Base):
    __tablename__ = "vacancy"
    __table_args__ = (
        CheckConstraint("hours_min >= 1 AND hours_max <= 40 AND hours_min <= hours_max", name="hours_range"),
        Index("ix_vacancy_status_occupation", "status", "occupation"),
        Index("ix_vacancy_status_gemeente", "status", "gemeente_code"),
        Index("ix_vacancy_status_isco", "status", "isco_code", "gemeente_code"),
        NO_REUSE,
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    occupation: Mapped[str | None] = mapped_column(String(60))
    esco_uri: Mapped[str | None] = mapped_column(String(120))  # ESCO v1.2.0 occupation (placement/occupation_data.py)
    isco_code: Mapped[str | None] = mapped_column(String(4))  # ISCO-08 unit group; matching follows its hierarchy
    description: Mapped[str] = mapped_column(Text, default="")
    hours_min: Mapped[int] = mapped_column(Integer)
    hours_max: Mapped[int] = mapped_column(Integer)
    gemeente_code: Mapped[str] = mapped_column(ForeignKey("gemeente.code"))
    sector: Mapped[str | None] = mapped_column(String(60))
    skills: Mapped[str] = mapped_column(Text, default="")
    contract_type: Mapped[str] = mapped_column(_enum("contract_type", CONTRACT_TYPES), default="tijdelijk")
    banenafspraak: Mapped[bool] = mapped_column(Boolean, default=False)
    beschut_werk: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(_enum("vacancy_status", VACANCY_STATUSES), default="concept")
    origin: Mapped[str] = mapped_column(String(20), default="staff")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    employer: Mapped[Employer] = relationship()
    gemeente: Mapped[Gemeente] = relationship()


class Candidate(Base):
    """A job seeker, known by a pseudonymous key per channel user (never a BSN)."""

    __tablename__ = "candidate"
    __table_args__ = (Index("ix_candidate_occupation_gemeente", "occupation", "gemeente_code"),
                      Index("ix_candidate_isco_gemeente", "isco_code", "gemeente_code"), NO_REUSE)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_key: Mapped[str] = mapped_column(String(128), unique=True)
    name: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(30))
    gemeente_code: Mapped[str | None] = mapped_column(ForeignKey("gemeente.code"), index=True)
    occupation: Mapped[str | None] = mapped_column(String(60))
    esco_uri: Mapped[str | None] = mapped_column(String(120))
    isco_code: Mapped[str | None] = mapped_column(String(4))
    interests: Mapped[str] = mapped_column(Text, default="")
    skills: Mapped[str] = mapped_column(Text, default="")
    hours_wanted: Mapped[int | None] = mapped_column(Integer)
    available_from: Mapped[dt.date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    consent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    gemeente: Mapped[Gemeente | None] = relationship()


class Application(Base):
    __tablename__ = "application"
    __table_args__ = (UniqueConstraint("candidate_id", "vacancy_id", name="uq_application_candidate_vacancy"),
                      NO_REUSE)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"))
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancy.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(_enum("application_status", APPLICATION_STATUSES), default="ingediend")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now, onupdate=now)
    vacancy: Mapped[Vacancy] = relationship()
    candidate: Mapped[Candidate] = relationship()


class Placement(Base):
    __tablename__ = "placement"
    __table_args__ = NO_REUSE
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"), index=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id", ondelete="CASCADE"), index=True)
    vacancy_id: Mapped[int | None] = mapped_column(ForeignKey("vacancy.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(_enum("placement_kind", PLACEMENT_KINDS))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    jobcoach_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id", ondelete="SET NULL"))


class Lead(Base):
    """Work for staff that came out of a conversation: callback, intake, handoff, application."""

    __tablename__ = "lead"
    __table_args__ = (
        Index("ix_lead_status_region", "status", "region_code"),
        Index("ix_lead_assigned_status", "assigned_staff_id", "status"),
        NO_REUSE,
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(_enum("lead_kind", LEAD_KINDS))
    topic: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(_enum("lead_status", LEAD_STATUSES), default="nieuw")
    region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    assigned_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id", ondelete="SET NULL"))
    sender_id: Mapped[str | None] = mapped_column(String(128), index=True)
    channel: Mapped[str | None] = mapped_column(String(20))
    contact_name: Mapped[str | None] = mapped_column(String(120))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    preferred_moment: Mapped[str | None] = mapped_column(String(120))
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employer.id", ondelete="SET NULL"))
    vacancy_id: Mapped[int | None] = mapped_column(ForeignKey("vacancy.id", ondelete="SET NULL"))
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now, index=True)
    assigned_staff: Mapped[StaffMember | None] = relationship()


class Conversation(Base):
    """One user's conversation on one channel; `id` is the Rasa sender id (issued by the gateway)."""

    __tablename__ = "conversation"
    __table_args__ = (Index("ix_conversation_last_message", "last_message_at"),)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))  # "web" or "telegram"
    # Where to deliver messages on the channel (Telegram chat id); None for web chat.
    channel_address: Mapped[str | None] = mapped_column(String(64), index=True)
    role: Mapped[str | None] = mapped_column(String(20))  # "werkgever" / "werkzoekende" once known
    region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    handoff_state: Mapped[str] = mapped_column(String(12), default="none")  # none / requested / active
    handoff_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    last_message_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
