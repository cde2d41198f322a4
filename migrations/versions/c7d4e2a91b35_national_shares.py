"""national: aggregate reports received by the protocol's owner

Revision ID: c7d4e2a91b35
Revises: 7b2e9c4f1a63
Create Date: 2026-11-26 01:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import consensus.dbtypes  # noqa: F401  (custom column types used by autogenerate)


# revision identifiers, used by Alembic.
revision = 'c7d4e2a91b35'
down_revision = "7b2e9c4f1a63"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('national_share',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('protocol_id', sa.String(length=64), nullable=False),
    sa.Column('protocol_version', sa.String(length=64), nullable=False),
    sa.Column('sender', sa.String(length=64), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('named', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('period_key', sa.String(length=100), nullable=False),
    sa.Column('period', sa.String(length=100), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('respondent_group', sa.String(length=64), nullable=False),
    sa.Column('checksum', sa.String(length=71), nullable=False),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.Column('created_at', consensus.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('received_at', consensus.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_national_share_organisation_id_organisation'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_national_share')),
    sa.UniqueConstraint('protocol_id', 'number', 'period_key', 'respondent_group', name=op.f('uq_national_share_protocol_id_number_period_key_respondent_group')),
    sa.UniqueConstraint('protocol_id', 'sender', 'period_key', 'respondent_group', name=op.f('uq_national_share_protocol_id_sender_period_key_respondent_group'))
    )
    with op.batch_alter_table('national_share', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_national_share_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_national_share_protocol_id'), ['protocol_id'], unique=False)


def downgrade():
    with op.batch_alter_table('national_share', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_national_share_protocol_id'))
        batch_op.drop_index(batch_op.f('ix_national_share_organisation_id'))
    op.drop_table('national_share')
