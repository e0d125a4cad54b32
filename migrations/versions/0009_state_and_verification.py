"""State-aware rules and accounts that resist abuse (issue: one rule for who may read and do
what): when an idea's text was last edited (a staff status change is not an edit), what a
moderator removed and why, the comment a notification quotes (so it is re-checked when read),
and when an account's e-mail address was verified (accounts that exist are verified).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 15:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('idea', schema=None) as batch_op:
        batch_op.add_column(sa.Column('edited_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('removed_reason', sa.Text(), nullable=True))
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('removed_reason', sa.Text(), nullable=True))
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('comment_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_notification_comment_id_comment'), 'comment', ['comment_id'], ['id'],
            ondelete='CASCADE')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', sa.DateTime(), nullable=True))
    # Ideas edited before this revision: their last revision's time is when.
    op.execute(
        "UPDATE idea SET edited_at = (SELECT max(created_at) FROM idea_revision "
        "WHERE idea_revision.idea_id = idea.id)"
    )
    # Every account made so far was made by the CLI, an admin or before verification existed.
    op.execute('UPDATE "user" SET email_verified_at = created_at')


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('email_verified_at')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notification_comment_id_comment'),
                                 type_='foreignkey')
        batch_op.drop_column('comment_id')
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_column('removed_reason')
    with op.batch_alter_table('idea', schema=None) as batch_op:
        batch_op.drop_column('removed_reason')
        batch_op.drop_column('deleted_at')
        batch_op.drop_column('edited_at')
