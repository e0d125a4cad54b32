"""Live (SPEC 14): the change cursor. One row per change an open page may follow, written in
the transaction of the change; its id is the cursor every worker and host agrees on, read
by topic through (topic, id). AUTOINCREMENT on SQLite: an id is never given twice, even
after the newest rows were pruned.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 10:12:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('live_change',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('topic', sa.String(length=40), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_change')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('live_change', schema=None) as batch_op:
        batch_op.create_index('ix_live_change_topic_id', ['topic', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('live_change', schema=None) as batch_op:
        batch_op.drop_index('ix_live_change_topic_id')

    op.drop_table('live_change')
