"""ideas: index merged_into_id (an idea's page lists the ideas merged into it), and
(kind, created_at, id) for a kind filter sorted by date

Partial (merged ideas only): a full index would lead SQLite's planner to answer the lists'
`merged_into_id IS NULL` through it and sort nearly every idea.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 20:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('idea', schema=None) as batch_op:
        batch_op.create_index('ix_idea_merged_into', ['merged_into_id'], unique=False,
                              sqlite_where=sa.text('merged_into_id IS NOT NULL'),
                              postgresql_where=sa.text('merged_into_id IS NOT NULL'))
        batch_op.create_index('ix_idea_kind_created', ['kind', 'created_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('idea', schema=None) as batch_op:
        batch_op.drop_index('ix_idea_kind_created')
        batch_op.drop_index('ix_idea_merged_into')
