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
