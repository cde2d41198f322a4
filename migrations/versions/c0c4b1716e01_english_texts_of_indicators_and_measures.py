"""indicators and measures: optional English texts (issue 16)

Revision ID: c0c4b1716e01
Revises: 7c3e9a1f5d20
Create Date: 2026-11-26 01:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import consensus.dbtypes  # noqa: F401  (custom column types used by autogenerate)


# revision identifiers, used by Alembic.
revision = 'c0c4b1716e01'
down_revision = "7c3e9a1f5d20"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title_en', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('description_en', sa.Text(), nullable=True))
    with op.batch_alter_table('canonical_measure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_en', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('description_en', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('canonical_measure', schema=None) as batch_op:
        batch_op.drop_column('description_en')
        batch_op.drop_column('name_en')
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.drop_column('description_en')
        batch_op.drop_column('title_en')
