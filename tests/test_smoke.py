"""The app starts, the schema is the migrations', and /healthz answers."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from portal.database import include_in_autogenerate
from portal.extensions import db


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"


def test_migrations_match_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": include_in_autogenerate}
        )
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_home_and_list_render_empty(client):
    assert client.get("/").status_code == 200
    assert client.get("/ideas").status_code == 200


def test_upgrading_a_database_that_holds_data(tmp_path):
    """Migrations run on a live portal's data, not only on an empty database (SQLite batch
    mode copies tables: with foreign keys enforced that used to fail on `DROP TABLE`)."""
    from flask_migrate import downgrade, upgrade

    from config import TestingConfig
    from portal import create_app
    from portal.seed import seed_demo

    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/old.db")
    with app.app_context():
        upgrade(revision="0003")  # an older portal, with rows written by hand
        # On a plain connection: this portal's session listeners write tables (the change
        # cursor's) that revision 0003 does not have yet.
        with db.engine.begin() as connection:
            connection.execute(
                db.text(
                    "INSERT INTO category (slug, name, description, audience, position) "
                    "VALUES ('general', 'General', '', 'public', 1)"
                )
            )
            connection.execute(
                db.text(
                    "INSERT INTO user (email, handle, display_name, password_hash, kind, role, "
                    "approved, email_preference, created_at, session_token) VALUES ('a@b.example', "
                    "'a', 'A', 'x', 'customer', 'member', 1, 'instant', '2026-01-01', 't')"
                )
            )
            connection.execute(
                db.text(
                    "INSERT INTO idea (title, body, body_html, kind, status, category_id, "
                    "author_id, audience, confidential, hidden, locked, votes_count, "
                    "comments_count, hot, created_at, updated_at) VALUES ('An old idea', '', '', "
                    "'idea', 'open', 1, 1, 'public', 0, 0, 0, 1, 0, 1.0, '2026-01-01', "
                    "'2026-01-01')"
                )
            )
        upgrade()
        assert db.session.execute(db.text("SELECT title, item_id FROM idea")).all() == [
            ("An old idea", None)
        ]
        downgrade(revision="0003")
        upgrade()
        assert seed_demo(echo=lambda *_: None) is False  # there are ideas: it changes nothing
        db.engine.dispose()
