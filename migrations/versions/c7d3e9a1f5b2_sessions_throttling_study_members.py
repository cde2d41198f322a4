"""sessions, throttling and study members

Revocable staff sessions, the participant's session version, shared throttle counts, and who
works on which study.

Revision ID: c7d3e9a1f5b2
Revises: c7d4e2a91b35
Create Date: 2026-11-26 00:50:00.000000

Existing studies get members: the study's creator (``study.created_by_id``) as its owner.
A study with no recorded creator (made from the command line, or its creator's account was
deleted) gets every current projektledare as a member with the role projektledare, so that
no study is left that only an admin can open; its owner or an admin can then trim the list.
Admins need no membership.
"""
from alembic import op
import sqlalchemy as sa

import consensus.dbtypes  # noqa: F401  (custom column types used by autogenerate)


# revision identifiers, used by Alembic.
revision = 'c7d3e9a1f5b2'
down_revision = "c7d4e2a91b35"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'staff_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', consensus.dbtypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_staff_session_user_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_session')),
        sa.UniqueConstraint('key_hash', name=op.f('uq_staff_session_key_hash')),
    )
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_session_user_id'), ['user_id'], unique=False)

    op.create_table(
        'throttle_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('created_at', consensus.dbtypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_throttle_event')),
    )
    with op.batch_alter_table('throttle_event', schema=None) as batch_op:
        batch_op.create_index('ix_throttle_event_kind_key_at', ['kind', 'key', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_throttle_event_created_at'), ['created_at'], unique=False)

    op.create_table(
        'study_member',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('study_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('created_at', consensus.dbtypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint("role IN ('owner', 'projektledare', 'facilitator')", name=op.f('ck_study_member_role_known')),
        sa.ForeignKeyConstraint(['study_id'], ['study.id'], name=op.f('fk_study_member_study_id_study'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_study_member_user_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_study_member')),
        sa.UniqueConstraint('study_id', 'user_id', name=op.f('uq_study_member_study_id_user_id')),
    )
    with op.batch_alter_table('study_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_study_member_study_id'), ['study_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_study_member_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))

    # Members of the existing studies (see the module docstring).
    op.execute(
        sa.text(
            "INSERT INTO study_member (study_id, user_id, role, created_at) "
            "SELECT study.id, study.created_by_id, 'owner', CURRENT_TIMESTAMP FROM study "
            "JOIN user_account ON user_account.id = study.created_by_id"
        )
    )
    op.execute(
        sa.text(
            "INSERT INTO study_member (study_id, user_id, role, created_at) "
            "SELECT study.id, user_account.id, 'projektledare', CURRENT_TIMESTAMP "
            "FROM study CROSS JOIN user_account "
            "WHERE user_account.role = 'projektledare' AND NOT EXISTS "
            "(SELECT 1 FROM user_account AS creator WHERE creator.id = study.created_by_id)"
        )
    )


def downgrade():
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_column('session_version')
    with op.batch_alter_table('study_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_study_member_user_id'))
        batch_op.drop_index(batch_op.f('ix_study_member_study_id'))
    op.drop_table('study_member')
    with op.batch_alter_table('throttle_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_throttle_event_created_at'))
        batch_op.drop_index('ix_throttle_event_kind_key_at')
    op.drop_table('throttle_event')
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_session_user_id'))
    op.drop_table('staff_session')
