"""search: an index on comment (created_at, id), so that a bounded PostgreSQL search walks a
common word's newest matching comments instead of sorting every match (issue 17)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 07:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_index('ix_comment_created', ['created_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index('ix_comment_created')
