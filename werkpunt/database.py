"""Database set-up used by `make run`, `make test` and the benchmarks: migrate, load, seed, demo staff.

Reference data (regions, gemeenten) goes into every database. Demo people (employers, vacancies,
candidates, staff, conversations) only into the embedded default database, `var/werkpunt.db`, or
where DEMO_DATA=true asks for them: a production database starts without people.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from placement.db import DatabaseConfigError, make_engine, session_scope
from placement.models import StaffMember
from placement.reference import load_reference
from placement.seed import seed_demo
from settings import ROOT, VAR, Settings
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
            report: Callable[[str], None] | None = print, *, demo: bool = True) -> Engine:
    """Migrate to head, load reference data and (once, if `demo`) the demo data. Safe to run every start."""
    engine = make_engine(url)
    check_connection(engine)
    started = time.monotonic()
    migrate(url)
    with session_scope(engine) as session:
        load_reference(session)
    created = False
    if demo:
        with session_scope(engine) as session:
            created = seed_demo(session, size=size, seed=seed, report=report)
    if report:
        what = "met demodata" if created else ("demodata was er al" if demo else "zonder demodata")
        report(f"placement-database klaar ({what}) in {time.monotonic() - started:.1f}s")
    return engine


EMBEDDED_DATABASE = VAR / "werkpunt.db"
PASSWORD_DIR = VAR  # where demo admin password files go


def is_embedded_default(url: str) -> bool:
    """The SQLite file that `make run` uses when DATABASE_URL is not set (var/werkpunt.db)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return False
    return Path(parsed.database).resolve() == EMBEDDED_DATABASE.resolve()


def wants_demo_data(settings: Settings) -> bool:
    """DEMO_DATA if set; otherwise demo data only in the embedded default database."""
    if settings.demo_data is not None:
        return settings.demo_data
    return is_embedded_default(settings.database_url)


def prepare_database(settings: Settings) -> Engine:
    return prepare(settings.database_url, settings.demo_size, settings.seed, report=say,
                   demo=wants_demo_data(settings))


DEMO_ADMIN = "admin@werkpunt.example"


def demo_password_file(url: str) -> Path:
    """Where the demo admin's password of this database is kept: one file per database, so trying
    another DATABASE_URL never overwrites the password of the embedded default."""
    if is_embedded_default(url):
        return PASSWORD_DIR / "demo-admin-password.txt"
    parsed = make_url(url)
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(parsed.database or "db").stem).strip("-") or "db"
    digest = hashlib.sha256(parsed.render_as_string(hide_password=True).encode()).hexdigest()[:8]
    return PASSWORD_DIR / f"demo-admin-password-{name}-{digest}.txt"


def write_private(path: Path, content: str) -> None:
    """Write a file only its owner can read (0600), also when it existed with wider permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(content)


def prepare_demo_staff(settings: Settings, engine) -> None:
    """First start of a demo database only: a password for the demo admin (kept in var/, mode 0600,
    one file per database) and demo conversations. A database without demo data gets neither."""
    if not wants_demo_data(settings):
        return
    password_file = demo_password_file(settings.database_url)
    with session_scope(engine) as session:
        admin = session.scalar(select(StaffMember).where(StaffMember.email == DEMO_ADMIN))
        if admin is None or admin.password_hash:
            return
        password = secrets.token_urlsafe(12)
        admin.password_hash = hash_password(password)
        write_private(password_file, password + "\n")  # before the commit: never a password nobody knows
    tracker_engine = make_engine(settings.tracker_store_url)
    demo.generate(engine, tracker_engine, 200, seed=settings.seed)
    tracker_engine.dispose()
    say(f"medewerkersomgeving: log in als {DEMO_ADMIN} met het wachtwoord in {password_file} "
        "(andere demomedewerkers: python -m staff.cli set-password <e-mail>); 200 demogesprekken toegevoegd")
