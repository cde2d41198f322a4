"""followup: staff review of flagged free-text answers

Revision ID: 7b2e9c4f1a63
Revises: c4d1e8f2a7b3
Create Date: 2026-11-26 01:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

import consensus.dbtypes  # noqa: F401  (custom column types used by autogenerate)


# revision identifiers, used by Alembic.
revision = '7b2e9c4f1a63'
down_revision = "c4d1e8f2a7b3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('free_text_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', consensus.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['survey_answer.id'], name=op.f('fk_free_text_review_answer_id_survey_answer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['user_account.id'], name=op.f('fk_free_text_review_reviewer_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_free_text_review')),
    sa.UniqueConstraint('answer_id', name=op.f('uq_free_text_review_answer_id'))
    )


def downgrade():
    op.drop_table('free_text_review')
