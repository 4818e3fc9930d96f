"""match alerts: consent per person, an outbox of matching events, and the alerts (issue 16)

- alert_subscription: one person's consent to alerts (job seeker criteria, or an employer's vacancy),
  with frequency (direct / dagelijks) and status (actief / gestopt / gepauzeerd).
- alert: one (person, match) pair; `pair_key` is unique, so a pair is never alerted twice.
- alert_event: outbox written with the vacancy publication / candidate registration, matched later.

Revision ID: 0011
Revises: 0010
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alert_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('vacature_gepubliceerd', 'kandidaat_ingeschreven', name='alert_event_kind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('processed_at', sa.DateTime(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_event')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('alert_event', schema=None) as batch_op:
        batch_op.create_index('ix_alert_event_pending', ['processed_at', 'id'], unique=False)

    op.create_table('alert_subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.Enum('werkzoekende', 'werkgever', name='subscriber_kind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=True),
    sa.Column('vacancy_id', sa.Integer(), nullable=True),
    sa.Column('job_title', sa.String(length=200), nullable=True),
    sa.Column('esco_uri', sa.String(length=120), nullable=True),
    sa.Column('isco_code', sa.String(length=4), nullable=True),
    sa.Column('gemeente_code', sa.String(length=6), nullable=True),
    sa.Column('radius_km', sa.Integer(), nullable=True),
    sa.Column('hours', sa.Integer(), nullable=True),
    sa.Column('region_code', sa.String(length=4), nullable=True),
    sa.Column('frequency', sa.Enum('direct', 'dagelijks', name='alert_frequency', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('status', sa.Enum('actief', 'gestopt', 'gepauzeerd', name='subscription_status', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('paused_reason', sa.String(length=40), nullable=True),
    sa.Column('consented_at', sa.DateTime(), nullable=False),
    sa.Column('stopped_at', sa.DateTime(), nullable=True),
    sa.Column('last_digest_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidate.id'], name=op.f('fk_alert_subscription_candidate_id_candidate'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['gemeente_code'], ['gemeente.code'], name=op.f('fk_alert_subscription_gemeente_code_gemeente')),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], name=op.f('fk_alert_subscription_region_code_region')),
    sa.ForeignKeyConstraint(['vacancy_id'], ['vacancy.id'], name=op.f('fk_alert_subscription_vacancy_id_vacancy'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_subscription')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('alert_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_subscription_candidate_id'), ['candidate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_subscription_conversation_id'), ['conversation_id'], unique=False)
        batch_op.create_index('ix_alert_subscription_match', ['status', 'kind', 'isco_code', 'gemeente_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_subscription_region_code'), ['region_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_subscription_vacancy_id'), ['vacancy_id'], unique=False)

    op.create_table('alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('pair_key', sa.String(length=120), nullable=False),
    sa.Column('vacancy_id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=True),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('status', sa.Enum('wachtend', 'verzonden', 'geopend', 'gesolliciteerd', 'niet_passend', 'verlopen', 'mislukt', name='alert_status', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('feedback', sa.Enum('ander_werk', 'te_ver', 'andere_uren', name='alert_feedback', native_enum=False, create_constraint=True, length=24), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('opened_at', sa.DateTime(), nullable=True),
    sa.Column('reacted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidate.id'], name=op.f('fk_alert_candidate_id_candidate'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subscription_id'], ['alert_subscription.id'], name=op.f('fk_alert_subscription_id_alert_subscription'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['vacancy_id'], ['vacancy.id'], name=op.f('fk_alert_vacancy_id_vacancy'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert')),
    sa.UniqueConstraint('pair_key', name=op.f('uq_alert_pair_key')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_candidate_id'), ['candidate_id'], unique=False)
        batch_op.create_index('ix_alert_status_due', ['status', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_subscription_id'), ['subscription_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_vacancy_id'), ['vacancy_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_vacancy_id'))
        batch_op.drop_index(batch_op.f('ix_alert_subscription_id'))
        batch_op.drop_index('ix_alert_status_due')
        batch_op.drop_index(batch_op.f('ix_alert_candidate_id'))

    op.drop_table('alert')
    with op.batch_alter_table('alert_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_subscription_vacancy_id'))
        batch_op.drop_index(batch_op.f('ix_alert_subscription_region_code'))
        batch_op.drop_index('ix_alert_subscription_match')
        batch_op.drop_index(batch_op.f('ix_alert_subscription_conversation_id'))
        batch_op.drop_index(batch_op.f('ix_alert_subscription_candidate_id'))

    op.drop_table('alert_subscription')
    with op.batch_alter_table('alert_event', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_event_pending')

    op.drop_table('alert_event')
