"""Engine and session handling for the placement database.

The data layer never reads settings: callers pass the URL (or the engine) they were configured with.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker


log = logging.getLogger(__name__)


class DatabaseConfigError(RuntimeError):
    """The DATABASE_URL cannot be used; the message says what to do (in Dutch)."""


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain postgresql:// URLs (the driver we install)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine, turning a malformed URL into a clear error."""
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseConfigError(
            f"DATABASE_URL '{url}' is ongeldig. Voorbeeld: sqlite:///var/werkpunt.db of "
            "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            protect_sqlite_file(database)
        kwargs.setdefault("connect_args", {"timeout": 15})
    else:
        kwargs.setdefault("pool_pre_ping", True)
        kwargs.setdefault("connect_args", {"connect_timeout": 5})
    try:
        engine = create_engine(parsed, **kwargs)
    except Exception as exc:  # unknown dialect or driver
        raise DatabaseConfigError(f"DATABASE_URL '{url}' kan niet gebruikt worden: {exc}") from exc
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Foreign keys are off by default in SQLite; WAL lets readers and one writer work together.
    # secure_delete: deleted rows are overwritten with zeros, so erased personal data does not stay
    # readable in free pages (the WAL is emptied after an erasure: checkpoint()).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def protect_sqlite_file(database: str | Path) -> None:
    """Create an SQLite file owner-only (0600) before SQLite does (it would use the umask, often 0644).

    SQLite gives the -wal and -shm files the permissions of the database file. An existing file (and its
    WAL files) that others can read is tightened: these files hold personal data.
    """
    path = Path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if candidate.stat().st_mode & 0o077:
                candidate.chmod(0o600)
        except (FileNotFoundError, PermissionError):
            pass


def checkpoint(engine: Engine) -> bool:
    """After an erasure: copy the WAL into the database file and truncate it (SQLite; a no-op elsewhere).

    With secure_delete the freed pages are zeroed, but until a checkpoint the WAL still holds the old
    page images with the deleted data. Returns False when a reader kept part of the WAL busy.
    """
    if engine.dialect.name != "sqlite":
        return True
    for _attempt in range(3):
        with engine.connect() as conn:
            busy, _log_pages, _moved = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        if not busy:
            return True
    log.warning("WAL checkpoint after erasure incomplete: a reader kept it busy")
    return False


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One engine per URL per process."""
    return make_engine(url)


@lru_cache(maxsize=32)
def session_factory(engine: Engine) -> sessionmaker[Session]:
    """The one sessionmaker of an engine, made on first use."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One session per unit of work: commit on success, roll back on error."""
    session = session_factory(engine)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
