"""answer: where it was given (online or on paper), so a paper ballot never silently
replaces online answers

Revision ID: 7c4e2a9d1f30
Revises: c7d3e9a1f5b2
Create Date: 2026-11-26 01:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c4e2a9d1f30'
down_revision = "c7d3e9a1f5b2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('source', sa.String(length=10), server_default='online', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_column('source')
