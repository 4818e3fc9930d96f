"""stable ids (AUTOINCREMENT on SQLite) and real werkgeversservicepunt contacts

Ids that users or staff see must never come back after a deletion. SQLite without AUTOINCREMENT
hands out max(id)+1, so deleting the newest lead gave the next user the same WP-reference. SQLite
cannot add AUTOINCREMENT to a table, so these tables are rebuilt (batch mode copies every row; the
rows keep their ids and sqlite_sequence starts at the highest one). PostgreSQL's serial sequences
never hand out an id twice: nothing to do there. migrations/env.py turns SQLite's foreign keys off
for the rebuild, otherwise dropping the old table would cascade-delete the rows that point at it.

Revision ID: 0007
Revises: 0006
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Every table whose id a user or a staff member sees (references, numbers, URLs, web chat polling).
VISIBLE_IDS = ("staff_member", "employer", "vacancy", "candidate", "application", "placement", "lead",
               "chat_message", "nlu_correction")


def _rebuild(autoincrement: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("0007 rebuilds tables: SQLite foreign keys must be off (see migrations/env.py)")
    for table in VISIBLE_IDS:
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}):
            pass


def upgrade() -> None:
    op.create_table(
        "service_point",
        sa.Column("region_code", sa.String(length=4), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=30), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("website", sa.String(length=300), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["region_code"], ["region.code"], name=op.f("fk_service_point_region_code_region")),
        sa.PrimaryKeyConstraint("region_code", name=op.f("pk_service_point")),
    )
    _rebuild(autoincrement=True)


def downgrade() -> None:
    _rebuild(autoincrement=False)
    op.drop_table("service_point")
