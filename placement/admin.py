"""Database set-up used by `make run`, `make test` and the benchmarks: migrate, load, seed."""

from __future__ import annotations

import time
from collections.abc import Callable

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from placement.db import DatabaseConfigError, make_engine, session_scope
from placement.reference import ROOT_ALEMBIC_INI, load_reference
from placement.seed import seed_demo


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT_ALEMBIC_INI))
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
