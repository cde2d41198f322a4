"""round: a-priori rule of approval/ranking rounds; study: texts of the COS-STAR/ACCORD report

Revision ID: c4d1e8f2a7b3
Revises: 5e1a7c2d9b40
Create Date: 2026-11-26 01:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import consensus.dbtypes  # noqa: F401  (custom column types used by autogenerate)


# revision identifiers, used by Alembic.
revision = 'c4d1e8f2a7b3'
down_revision = "5e1a7c2d9b40"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rule', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('rule_params', sa.JSON(), nullable=True))
    with op.batch_alter_table('study', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_texts', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('study', schema=None) as batch_op:
        batch_op.drop_column('report_texts')
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.drop_column('rule_params')
        batch_op.drop_column('rule')
