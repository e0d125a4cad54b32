"""idea list: an index for a status filter sorted by date (the home page's "done" list)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 20:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('idea', schema=None) as batch_op:
        batch_op.create_index('ix_idea_status_created', ['status', 'created_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('idea', schema=None) as batch_op:
        batch_op.drop_index('ix_idea_status_created')
