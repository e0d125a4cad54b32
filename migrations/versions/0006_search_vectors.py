"""search on PostgreSQL: stored tsvector columns instead of expression indexes

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 20:30:00

With expression indexes, ranking (`ts_rank`) and every phrase recheck parsed and stemmed the
text of each matching row again: a common word at 100,000 ideas cost about a second. A
stored generated column is parsed once, when the row is written.
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# The expressions of 0002, now stored (portal/search/postgres_backend.py reads the columns).
IDEA_VECTOR = (
    "(setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'B'))"
)
COMMENT_VECTOR = "to_tsvector('english'::regconfig, coalesce(body, ''))"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, vector in (("idea", IDEA_VECTOR), ("comment", COMMENT_VECTOR)):
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS ({vector}) STORED"
        )
        op.execute(f"CREATE INDEX ix_{table}_search_vector ON {table} USING gin (search_vector)")
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_fulltext")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, vector in (("idea", IDEA_VECTOR), ("comment", COMMENT_VECTOR)):
        op.execute(f"CREATE INDEX ix_{table}_fulltext ON {table} USING gin ({vector})")
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_search_vector")
        op.execute(f"ALTER TABLE {table} DROP COLUMN search_vector")
