"""audit log: IP addresses can be erased by retention; everything else stays append-only

The audit log keeps who did what and when for good, but a staff member's IP address is personal data
with its own retention period (RETENTION_AUDIT_IP_DAYS). The triggers of 0003 refused every UPDATE;
from here they allow exactly one kind: setting `ip` to NULL while every other column stays the same.
DELETE and TRUNCATE stay refused.

Revision ID: 0008
Revises: 0009
"""
from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0009"  # re-chained after 0009 (staff accounts) reached main first
branch_labels = None
depends_on = None

COLUMNS = ("id", "at", "staff_id", "actor", "action", "outcome", "target_type", "target_id", "detail")

SQLITE_OLD = ("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
              "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END")
# SQLite's IS compares NULLs as equal, like PostgreSQL's IS NOT DISTINCT FROM.
SQLITE_NEW = ("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
              "WHEN NOT (NEW.ip IS NULL AND " + " AND ".join(f"NEW.{c} IS OLD.{c}" for c in COLUMNS) + ") "
              "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END")

PG_OLD = ("CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
          "$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$")
PG_NEW = ("CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
          "IF TG_OP = 'UPDATE' AND NEW.ip IS NULL AND "
          + " AND ".join(f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}" for c in COLUMNS)
          + " THEN RETURN NEW; END IF; RAISE EXCEPTION 'audit_log is append-only'; END $$")


def _replace(sqlite_trigger: str, pg_function: str) -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute(sqlite_trigger)
    elif dialect == "postgresql":  # the row trigger (UPDATE OR DELETE) and the TRUNCATE trigger share it
        op.execute(pg_function)


def upgrade() -> None:
    _replace(SQLITE_NEW, PG_NEW)


def downgrade() -> None:
    _replace(SQLITE_OLD, PG_OLD)
