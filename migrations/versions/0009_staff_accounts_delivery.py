"""staff password resets, Telegram delivery retries, updates done after handling, erasure retries

- staff_password_reset: one-time links an admin makes (only a hash of the token is stored).
- telegram_delivery: a message Telegram did not accept, retried with back-off; staff see it.
- telegram_update.done_at: an update counts as handled only once its handlers finished.
- erasure_request: a deletion whose tracker events could not be erased yet; retried until done.

Revision ID: 0009
Revises: 0007
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_password_reset",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["staff_id"], ["staff_member.id"],
                                name=op.f("fk_staff_password_reset_staff_id_staff_member"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_password_reset")),
    )
    with op.batch_alter_table("staff_password_reset", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_password_reset_staff_id"), ["staff_id"], unique=False)

    op.create_table(
        "telegram_delivery",
        sa.Column("message_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_try_at", sa.DateTime(), nullable=False),
        sa.Column("last_error", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["chat_message.id"],
                                name=op.f("fk_telegram_delivery_message_id_chat_message"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_telegram_delivery")),
    )
    with op.batch_alter_table("telegram_delivery", schema=None) as batch_op:
        batch_op.create_index("ix_telegram_delivery_state_next", ["state", "next_try_at"], unique=False)

    with op.batch_alter_table("telegram_update", schema=None) as batch_op:
        batch_op.add_column(sa.Column("done_at", sa.DateTime(), nullable=True))

    op.create_table(
        "erasure_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_try_at", sa.DateTime(), nullable=False),
        sa.Column("last_error", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure_request")),
        sa.UniqueConstraint("conversation_id", name=op.f("uq_erasure_request_conversation_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("erasure_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_erasure_request_next_try_at"), ["next_try_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("erasure_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_erasure_request_next_try_at"))
    op.drop_table("erasure_request")
    with op.batch_alter_table("telegram_update", schema=None) as batch_op:
        batch_op.drop_column("done_at")
    with op.batch_alter_table("telegram_delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_telegram_delivery_state_next")
    op.drop_table("telegram_delivery")
    with op.batch_alter_table("staff_password_reset", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_password_reset_staff_id"))
    op.drop_table("staff_password_reset")
