"""Alembic environment: migrations run against the URL the caller put in the Alembic config.

`werkpunt.database.migrate(url)` passes it in `config.attributes["database_url"]`; a plain
`alembic` command line takes DATABASE_URL from the environment (default: the embedded SQLite file).
"""

from __future__ import annotations

from alembic import context

from placement.db import make_engine
from settings import get_settings
from werkpunt.schema import full_metadata, include_object

config = context.config
target_metadata = full_metadata()


def _url() -> str:
    # DATABASE_URL through the settings module, with the same default as the running product.
    return config.attributes.get("database_url") or get_settings().database_url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, render_as_batch=True,
                      include_object=include_object, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch mode rebuilds tables (copy, drop, rename); with foreign keys on, dropping the old table
        # would cascade-delete the rows that point at it. The pragma only works outside a transaction.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      include_object=include_object, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()
    if sqlite:
        connection.commit()
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()
        if broken:
            raise RuntimeError(f"migration left rows without their parent row: {broken[:5]}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
