"""Pictures and files on ideas and comments (SPEC 16): stored_file (who uploaded it, its type
decided from the bytes, name, size, SHA-256, and the idea or comment holding it, none until
the post that uses it is saved) and file_blob (the bytes, kept apart from the description).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 22:13:56.775012

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stored_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uploader_id', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=True),
    sa.Column('comment_id', sa.Integer(), nullable=True),
    sa.Column('attached_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['comment_id'], ['comment.id'], name=op.f('fk_stored_file_comment_id_comment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['idea_id'], ['idea.id'], name=op.f('fk_stored_file_idea_id_idea'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploader_id'], ['user.id'], name=op.f('fk_stored_file_uploader_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_file')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('stored_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stored_file_comment_id'), ['comment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stored_file_idea_id'), ['idea_id'], unique=False)
        batch_op.create_index('ix_stored_file_unattached', ['created_at'], unique=False, sqlite_where=sa.text('idea_id IS NULL AND comment_id IS NULL'), postgresql_where=sa.text('idea_id IS NULL AND comment_id IS NULL'))
        batch_op.create_index(batch_op.f('ix_stored_file_uploader_id'), ['uploader_id'], unique=False)

    op.create_table('file_blob',
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_file_blob_file_id_stored_file'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('file_id', name=op.f('pk_file_blob'))
    )


def downgrade():
    op.drop_table('file_blob')
    with op.batch_alter_table('stored_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stored_file_uploader_id'))
        batch_op.drop_index('ix_stored_file_unattached', sqlite_where=sa.text('idea_id IS NULL AND comment_id IS NULL'), postgresql_where=sa.text('idea_id IS NULL AND comment_id IS NULL'))
        batch_op.drop_index(batch_op.f('ix_stored_file_idea_id'))
        batch_op.drop_index(batch_op.f('ix_stored_file_comment_id'))

    op.drop_table('stored_file')
