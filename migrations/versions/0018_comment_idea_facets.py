"""search on PostgreSQL: each comment carries its idea's status, kind and category, kept by
triggers, so that a filtered search (`status:planned door`) finds the comments under planned
ideas from indexes on the comment alone (issue 17)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 18:00:00

Without them PostgreSQL read every comment matching the words (~24,000 of 67,000 for `door`
at 300,000 comments) to find the first 1,001 whose idea is planned. With them it intersects
the full-text index with the status index (a BitmapAnd) before reading a row.

PostgreSQL only, like the search vectors of 0006: the Whoosh backend (SQLite) keeps the
filters in its own documents. Triggers, not the services, keep the copies: every way an
idea's status, kind or category changes (staff, merges, moves, intake, SQL by hand) and
every way a comment is written (the portal, imports, the bench's bulk load) is covered.

Filling the copies rewrites every comment row, and the full-text index keeps the old rows'
entries until a vacuum (a common word's scan took three times as long at 300,000 comments):
autovacuum gets to it; on a large portal run `VACUUM ANALYZE comment` after upgrading.
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

FACETS = (("idea_status", "status", "varchar(16)"), ("idea_kind", "kind", "varchar(16)"),
          ("idea_category_id", "category_id", "integer"))  # fmt: skip


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "ALTER TABLE comment "
        + ", ".join(f"ADD COLUMN {column} {type_}" for column, _, type_ in FACETS)
    )
    op.execute(
        "UPDATE comment SET "
        + ", ".join(f"{column} = idea.{source}" for column, source, _ in FACETS)
        + " FROM idea WHERE idea.id = comment.idea_id"
    )
    for column, _, _ in FACETS:
        op.execute(f"CREATE INDEX ix_comment_{column} ON comment ({column})")
    # A comment takes its idea's values when written or moved to another idea.
    op.execute(
        """
        CREATE FUNCTION comment_takes_idea_facets() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            SELECT status, kind, category_id
              INTO NEW.idea_status, NEW.idea_kind, NEW.idea_category_id
              FROM idea WHERE id = NEW.idea_id;
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER comment_takes_idea_facets BEFORE INSERT OR UPDATE OF idea_id, "
        "idea_status, idea_kind, idea_category_id ON comment "
        "FOR EACH ROW EXECUTE FUNCTION comment_takes_idea_facets()"
    )
    # An idea's new values reach its comments in the same transaction.
    op.execute(
        """
        CREATE FUNCTION idea_facets_reach_comments() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE comment SET idea_status = NEW.status, idea_kind = NEW.kind,
                   idea_category_id = NEW.category_id
             WHERE idea_id = NEW.id;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER idea_facets_reach_comments AFTER UPDATE OF status, kind, category_id "
        "ON idea FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status "
        "OR OLD.kind IS DISTINCT FROM NEW.kind OR OLD.category_id IS DISTINCT FROM NEW.category_id) "
        "EXECUTE FUNCTION idea_facets_reach_comments()"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS idea_facets_reach_comments ON idea")
    op.execute("DROP FUNCTION IF EXISTS idea_facets_reach_comments()")
    op.execute("DROP TRIGGER IF EXISTS comment_takes_idea_facets ON comment")
    op.execute("DROP FUNCTION IF EXISTS comment_takes_idea_facets()")
    for column, _, _ in FACETS:
        op.execute(f"DROP INDEX IF EXISTS ix_comment_{column}")
    op.execute("ALTER TABLE comment " + ", ".join(f"DROP COLUMN {c}" for c, _, _ in FACETS))
