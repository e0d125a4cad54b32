"""PostgreSQL search: a comment carries its idea's status, kind and category (migration
0018, kept by triggers), so a filtered search reads the comment's own indexes. What is
carried must follow the idea through every change, and what is found must be what the
idea's own values say."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from portal.extensions import db
from portal.ideas import discussion, service
from tests.conftest import Factory, make_test_app
from tests.test_search import app_with_backend, titles


@pytest.fixture
def pg_app(database_url):
    yield from app_with_backend("postgres", database_url)


@pytest.fixture
def make(pg_app):
    return Factory()


def carried(comment) -> tuple:
    return db.session.execute(
        text("SELECT idea_status, idea_kind, idea_category_id FROM comment WHERE id = :id"),
        {"id": comment.id},
    ).one()


def test_a_comment_follows_its_idea_through_status_moves_and_merges(make):
    staff = make.user(kind="staff")
    home, other = make.category(), make.category()
    idea = make.idea(title="Kettle that whistles", category=home, kind="idea")
    comment = discussion.add_comment(make.user(), idea, "A whistling kettle wakes the house")
    db.session.commit()
    assert carried(comment) == ("open", "idea", home.id)

    service.change_status(staff, idea, "planned", "Next quarter.")
    db.session.commit()
    assert carried(comment) == ("planned", "idea", home.id)

    service.move(staff, idea, category=other.slug, kind="problem")
    db.session.commit()
    assert carried(comment) == ("planned", "problem", other.id)

    original = make.idea(title="Kettle with a whistle", category=other)
    service.change_status(staff, idea, "duplicate", duplicate_of=original.id)
    db.session.commit()
    assert carried(comment) == ("duplicate", "problem", other.id)


def test_a_hand_written_value_is_replaced_by_the_ideas(make):
    """The comment's copies are the idea's, whatever a statement sets them to."""
    idea = make.idea(title="Kettle with a timer")
    comment = discussion.add_comment(make.user(), idea, "A timer please")
    db.session.commit()
    db.session.execute(
        text("UPDATE comment SET idea_status = 'done', idea_kind = 'praise' WHERE id = :id"),
        {"id": comment.id},
    )
    db.session.commit()
    assert carried(comment)[:2] == ("open", "idea")


def test_filters_find_the_comments_under_ideas_with_those_values(make):
    staff = make.user(kind="staff")
    cat_a, cat_b = make.category(), make.category()
    planned = make.idea(title="Lantern one", category=cat_a, kind="idea")
    open_problem = make.idea(title="Lantern two", category=cat_b, kind="problem")
    for idea in (planned, open_problem):
        discussion.add_comment(make.user(), idea, "The glass lantern cracks in frost")
    service.change_status(staff, planned, "planned")
    db.session.commit()

    def found(q, **options):
        return sorted(
            (item.type, item.title) for item in search_items(q, **options)
        )  # fmt: skip

    assert found("frost status:planned") == [("comment", "Lantern one")]
    assert found("frost kind:problem") == [("comment", "Lantern two")]
    assert found("frost", filters={"category": cat_b.slug}) == [("comment", "Lantern two")]
    assert found("frost", filters={"category": "no-such-category"}) == []
    # The idea changes: its comment is found under the new values at once.
    service.change_status(staff, planned, "done")
    service.move(staff, open_problem, category=cat_a.slug)
    db.session.commit()
    assert found("frost status:planned") == []
    assert found("frost status:done") == [("comment", "Lantern one")]
    assert titles(None, "frost", filters={"category": cat_a.slug}) == ["Lantern one", "Lantern two"]


def search_items(q, **options):
    from portal.search import service as search

    return search.search(None, q, **options).items


def test_upgrading_fills_the_copies_of_existing_comments_and_downgrading_drops_them(postgres):
    """0018 on a database that holds comments: the copies are filled from their ideas; back
    to 0017 the columns, indexes and triggers go, and up again they return."""
    url = postgres.create_database("facets_upgrade")
    app = make_test_app(url)
    with app.app_context():
        upgrade(revision="0017")
        with db.engine.begin() as connection:
            for statement in (
                "INSERT INTO category (slug, name, description, audience, position) "
                "VALUES ('general', 'General', '', 'public', 1)",
                'INSERT INTO "user" (email, handle, display_name, password_hash, kind, role, '
                "approved, email_preference, created_at, session_token) VALUES ('a@b.example', "
                "'a', 'A', 'x', 'customer', 'member', true, 'instant', '2026-01-01', 't')",
                "INSERT INTO idea (title, body, body_html, kind, status, category_id, author_id, "
                "audience, confidential, hidden, locked, votes_count, comments_count, hot, "
                "created_at, updated_at) VALUES ('Old', '', '', 'problem', 'planned', 1, 1, "
                "'public', false, false, false, 0, 1, 1.0, '2026-01-01', '2026-01-01')",
                "INSERT INTO comment (idea_id, author_id, body, body_html, hidden, official, "
                "created_at) VALUES (1, 1, 'old words', '<p>old words</p>', false, false, "
                "'2026-01-01')",
            ):
                connection.execute(text(statement))
        upgrade()
        row = "SELECT idea_status, idea_kind, idea_category_id FROM comment"
        assert db.session.execute(text(row)).one() == ("planned", "problem", 1)
        db.session.rollback()
        downgrade(revision="0017")
        columns = db.session.execute(
            text("SELECT column_name FROM information_schema.columns WHERE table_name = 'comment'")
        ).scalars()
        assert not {"idea_status", "idea_kind", "idea_category_id"} & set(columns)
        db.session.rollback()
        upgrade()
        assert db.session.execute(text(row)).one() == ("planned", "problem", 1)
        db.session.remove()
        db.engine.dispose()
