"""Migrations own the schema: upgrade, downgrade, upgrade again, and no drift from the models."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from placement.db import make_engine
from werkpunt.database import alembic_config, migrate
from werkpunt.schema import full_metadata, include_object


def _diff(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include_object, "compare_type": True})
        return compare_metadata(context, full_metadata())


def test_upgrade_downgrade_upgrade_and_no_drift(db_url):
    engine = make_engine(db_url)
    migrate(db_url)
    tables = set(inspect(engine).get_table_names())
    assert {"gemeente", "vacancy", "candidate", "lead", "conversation", "chat_message"} <= tables
    assert _diff(engine) == []
    command.downgrade(alembic_config(db_url), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate(db_url)
    assert _diff(engine) == []
    engine.dispose()
