"""study: minimum number of ratings for a decision (a-priori setting)

Revision ID: 5e1a7c2d9b40
Revises: a3c5727040ff
Create Date: 2026-11-25 23:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

import consensus.dbtypes  # noqa: F401  (custom column types used by autogenerate)


# revision identifiers, used by Alembic.
revision = '5e1a7c2d9b40'
down_revision = "a3c5727040ff"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('study', schema=None) as batch_op:
        batch_op.add_column(sa.Column('min_ratings', sa.Integer(), server_default='5', nullable=False))
        batch_op.create_check_constraint(op.f('ck_study_min_ratings_positive'), 'min_ratings >= 1')


def downgrade():
    with op.batch_alter_table('study', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_study_min_ratings_positive'), type_='check')
        batch_op.drop_column('min_ratings')
