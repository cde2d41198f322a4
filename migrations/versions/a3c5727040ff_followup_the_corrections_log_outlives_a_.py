"""followup: the corrections log outlives a deleted questionnaire

A correction keeps its wave and the questionnaire's random respondent id (filled in from
the questionnaire for existing rows); its link to the questionnaire is SET NULL on deletion
instead of CASCADE, so deleting a paper or imported questionnaire keeps its log.

Revision ID: a3c5727040ff
Revises: 4116bd7e837c
Create Date: 2026-11-25 23:00:13.712873

"""
from alembic import op
import sqlalchemy as sa

import consensus.dbtypes  # noqa: F401  (custom column types used by autogenerate)


# revision identifiers, used by Alembic.
revision = 'a3c5727040ff'
down_revision = '4116bd7e837c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('correction', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wave_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('respondent_id', sa.String(length=32), nullable=True))
    op.execute(
        "UPDATE correction SET "
        "wave_id = (SELECT s.wave_id FROM survey_response s WHERE s.id = correction.response_id), "
        "respondent_id = (SELECT s.respondent_id FROM survey_response s "
        "WHERE s.id = correction.response_id)"
    )
    with op.batch_alter_table('correction', schema=None) as batch_op:
        batch_op.alter_column('wave_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('respondent_id', existing_type=sa.String(length=32), nullable=False)
        batch_op.alter_column('response_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_correction_respondent_id'), ['respondent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_correction_wave_id'), ['wave_id'], unique=False)
        batch_op.drop_constraint(batch_op.f('fk_correction_response_id_survey_response'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_correction_wave_id_wave'), 'wave', ['wave_id'], ['id'], ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_correction_response_id_survey_response'), 'survey_response', ['response_id'], ['id'], ondelete='SET NULL')


def downgrade():
    # the log of deleted questionnaires has nothing to point at under the old schema
    op.execute("DELETE FROM correction WHERE response_id IS NULL")
    with op.batch_alter_table('correction', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_correction_response_id_survey_response'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_correction_wave_id_wave'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_correction_response_id_survey_response'), 'survey_response', ['response_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_index(batch_op.f('ix_correction_wave_id'))
        batch_op.drop_index(batch_op.f('ix_correction_respondent_id'))
        batch_op.alter_column('response_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('respondent_id')
        batch_op.drop_column('wave_id')
