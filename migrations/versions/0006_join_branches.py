"""join staff and gateway branches

Revision ID: 0006
Revises: 0003, 0005
Create Date: 2026-11-27 21:22:47.114299
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = ('0003', '0005')
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
