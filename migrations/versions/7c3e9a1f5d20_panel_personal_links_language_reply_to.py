"""panel: personal links in a table of their own (each link sent stays valid), the
participant's email language, the study's Reply-To and its own email texts

Revision ID: 7c3e9a1f5d20
Revises: 7c4e2a9d1f30
Create Date: 2026-11-26 01:10:00.000000

"""
from alembic import op
import sqlalchemy as sa

import consensus.dbtypes


# revision identifiers, used by Alembic.
revision = '7c3e9a1f5d20'
down_revision = "7c4e2a9d1f30"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'personal_link',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('participant_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('purpose', sa.String(length=20), nullable=False),
        sa.Column('issued_at', consensus.dbtypes.UTCDateTime(), nullable=False),
        sa.Column('revoked_at', consensus.dbtypes.UTCDateTime(), nullable=True),
        sa.Column('last_used_at', consensus.dbtypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_personal_link_participant_id_participant'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_personal_link')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_personal_link_token_hash')),
    )
    with op.batch_alter_table('personal_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_personal_link_participant_id'), ['participant_id'], unique=False)
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=5), server_default='sv', nullable=False))
    with op.batch_alter_table('study', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply_to', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('mail_texts', sa.JSON(), nullable=True))
    # Each participant's one link becomes their first row; the participant keeps the hash as
    # the key of the sessions already open, so nobody is logged out by the upgrade.
    op.execute(
        "INSERT INTO personal_link (participant_id, token_hash, purpose, issued_at, revoked_at) "
        "SELECT id, token_hash, 'invitation', COALESCE(link_issued_at, created_at), "
        "link_revoked_at FROM participant WHERE token_hash IS NOT NULL"
    )


def downgrade():
    with op.batch_alter_table('study', schema=None) as batch_op:
        batch_op.drop_column('mail_texts')
        batch_op.drop_column('reply_to')
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('personal_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_personal_link_participant_id'))
    op.drop_table('personal_link')
