"""search: the index queue, and full-text GIN indexes on PostgreSQL

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 17:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# The same expressions portal/search/postgres_backend.py searches with.
IDEA_VECTOR = (
    "(setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'B'))"
)
COMMENT_VECTOR = "to_tsvector('english'::regconfig, coalesce(body, ''))"


def upgrade():
    op.create_table(
        "search_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("doc_type", sa.String(length=16), nullable=False),
        sa.Column("doc_id", sa.Integer(), nullable=False),
        sa.Column("queued_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_task")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX ix_idea_fulltext ON idea USING gin ({IDEA_VECTOR})")
        op.execute(f"CREATE INDEX ix_comment_fulltext ON comment USING gin ({COMMENT_VECTOR})")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_comment_fulltext")
        op.execute("DROP INDEX IF EXISTS ix_idea_fulltext")
    op.drop_table("search_task")
