"""Database set-up used by `make run`, `make test` and the benchmarks: migrate, load, seed, demo staff."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import OperationalError

from placement.db import DatabaseConfigError, make_engine, session_scope
from placement.models import StaffMember
from placement.reference import load_reference
from placement.seed import seed_demo
from settings import ROOT, Settings
from staff import demo
from staff.security import hash_password
from werkpunt.console import say

ALEMBIC_INI = ROOT / "alembic.ini"


def alembic_config(url: str) -> Config:
    config = Config(str(ALEMBIC_INI))
    config.attributes["database_url"] = url
    return config


def check_connection(engine: Engine) -> None:
    """Fail with a clear Dutch message when the database cannot be reached."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        raise DatabaseConfigError(
            f"De database op {engine.url.render_as_string(hide_password=True)} is niet bereikbaar "
            f"({str(exc.orig).strip().splitlines()[0] if exc.orig else exc}). "
            "Controleer of de server draait en DATABASE_URL klopt."
        ) from exc


def migrate(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def prepare(url: str, size: str = "small", seed: int = 20261127,
            report: Callable[[str], None] | None = print) -> Engine:
    """Migrate to head, load reference data and (once) the demo data. Safe to run every start."""
    engine = make_engine(url)
    check_connection(engine)
    started = time.monotonic()
    migrate(url)
    with session_scope(engine) as session:
        load_reference(session)
    with session_scope(engine) as session:
        created = seed_demo(session, size=size, seed=seed, report=report)
    if report:
        what = "aangemaakt" if created else "was er al"
        report(f"placement-database klaar ({what}) in {time.monotonic() - started:.1f}s")
    return engine


def prepare_database(settings: Settings) -> Engine:
    return prepare(settings.database_url, settings.demo_size, settings.seed, report=say)


DEMO_ADMIN = "admin@werkpunt.example"


def prepare_demo_staff(settings: Settings, engine) -> None:
    """First start only: a password for the demo admin (kept in var/, mode 0600) and demo conversations."""
    password_file = ROOT / "var" / "demo-admin-password.txt"
    with session_scope(engine) as session:
        admin = session.scalar(select(StaffMember).where(StaffMember.email == DEMO_ADMIN))
        if admin is None or admin.password_hash:
            return
        password = secrets.token_urlsafe(12)
        admin.password_hash = hash_password(password)
    password_file.parent.mkdir(exist_ok=True)
    password_file.write_text(password + "\n")
    password_file.chmod(0o600)
    tracker_engine = make_engine(settings.tracker_store_url)
    demo.generate(engine, tracker_engine, 200, seed=settings.seed)
    tracker_engine.dispose()
    say(f"medewerkersomgeving: log in als {DEMO_ADMIN} met het wachtwoord in {password_file} "
        "(andere demomedewerkers: python -m staff.cli set-password <e-mail>); 200 demogesprekken toegevoegd")
