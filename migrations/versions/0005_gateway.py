"""gateway: Telegram update dedup and long button payloads

Revision ID: 0005
Revises: 0002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "telegram_update",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_telegram_update")),
    )
    with op.batch_alter_table("telegram_update", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_telegram_update_received_at"), ["received_at"], unique=False)

    op.create_table(
        "button_payload",
        sa.Column("key", sa.String(length=24), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversation.id"],
                                name=op.f("fk_button_payload_conversation_id_conversation"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_button_payload")),
    )
    with op.batch_alter_table("button_payload", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_button_payload_conversation_id"), ["conversation_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("button_payload", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_button_payload_conversation_id"))
    op.drop_table("button_payload")
    with op.batch_alter_table("telegram_update", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_telegram_update_received_at"))
    op.drop_table("telegram_update")
