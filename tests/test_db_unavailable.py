"""While the database does not answer, every request gets a 503 with Retry-After (JSON from
the API), never a 500 or a hung request; after a database restart the pool's broken
connections are replaced (pool_pre_ping) and the next request works."""

import time

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from portal.accounts import service as accounts
from portal.extensions import db
from tests.conftest import BACKENDS, PASSWORD, Factory, make_test_app, migrated
from tests.pg import PostgresServer, free_port

UNREACHABLE = {
    "postgresql-down": lambda: (
        f"postgresql+psycopg://portal@127.0.0.1:{free_port()}/portal?connect_timeout=2"
    ),
    "sqlite-unopenable": lambda: "sqlite:////nonexistent-directory/portal.db",
}


def assert_unavailable(response, api: bool) -> None:
    assert response.status_code == 503, response.data[:300]
    assert response.headers["Retry-After"].isdigit()
    assert int(response.headers["Retry-After"]) > 0
    if api:
        assert response.is_json
        assert response.get_json()["error"]["code"] == "unavailable"
    else:
        assert b"Try again" in response.data or b"try again" in response.data


@pytest.mark.parametrize("url", list(UNREACHABLE), ids=list(UNREACHABLE))
def test_an_unreachable_database_answers_503_with_retry_after(url):
    # (Search through the PostgreSQL backend only: the Whoosh one answers from its own files.)
    backend = "postgres" if url.startswith("postgresql") else "whoosh"
    app = make_test_app(UNREACHABLE[url](), SEARCH_BACKEND=backend)
    client = app.test_client()
    assert_unavailable(client.get("/ideas"), api=False)
    assert_unavailable(client.get("/ideas/7"), api=False)
    assert_unavailable(client.get("/api/v1/ideas"), api=True)
    if backend == "postgres":
        assert_unavailable(client.get("/search?q=door"), api=False)
        assert_unavailable(client.get("/api/v1/search?q=door"), api=True)
    token = {"Authorization": "Bearer not-checked-while-the-database-is-down"}
    assert_unavailable(client.post("/api/v1/ideas/7/vote", headers=token), api=True)
    assert_unavailable(
        client.post("/api/v1/ideas/7/comments", json={"body": "Hello"}, headers=token), api=True
    )


class DatabaseGone:
    """Every statement from now on fails as a dropped PostgreSQL connection does."""

    def __init__(self, engine):
        self.engine = engine

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self.fail)
        return self

    def __exit__(self, *_exc):
        event.remove(self.engine, "before_cursor_execute", self.fail)

    @staticmethod
    def fail(_conn, _cursor, statement, parameters, *_args):
        raise OperationalError(
            statement, parameters, Exception("server closed the connection unexpectedly")
        )


def test_a_signed_in_visitor_gets_a_503_page_not_a_500(app, client):
    make = Factory()
    user = make.user()
    idea_id = make.idea(author=make.user()).id
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    with DatabaseGone(db.engine):
        # The page's layout would ask the database for the user's unread count: the 503
        # page must not, or it would fail in turn.
        assert_unavailable(client.get("/ideas"), api=False)
        assert_unavailable(client.get(f"/ideas/{idea_id}"), api=False)
        vote = client.post(f"/ideas/{idea_id}/vote", headers={"HX-Request": "true"})
        assert_unavailable(vote, api=False)
        assert vote.headers["HX-Retarget"] == "#flash"
        comment = client.post(f"/ideas/{idea_id}/comments", data={"body": "Lost?"})
        assert_unavailable(comment, api=False)
    db.session.rollback()
    assert client.get(f"/ideas/{idea_id}").status_code == 200


class DatabaseGoneAt(DatabaseGone):
    """Statements pass until one that contains `text`; from it on, every one fails."""

    def __init__(self, engine, text: str):
        super().__init__(engine)
        self.text, self.gone = text, False

    def fail(self, conn, cursor, statement, *args):
        self.gone = self.gone or self.text in statement
        if self.gone:
            DatabaseGone.fail(conn, cursor, statement, *args)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self.fail)
        return self


def test_the_503_page_of_a_reader_whose_account_loaded_before_the_database_went(app, client):
    """The account loaded, then the database went away: the 503 page asks for the reader's
    language and time zone, and the account, expired by the handler's rollback, cannot be read
    again. That was a 500 from inside the error handler (found by the load test)."""
    make = Factory()
    user = make.user()
    user.language, user.timezone = "de", "Europe/Berlin"
    db.session.commit()
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    )
    db.session.remove()
    # It goes when the layout asks for the unread count, after the page's own reads.
    with DatabaseGoneAt(db.engine, "FROM notification"):
        response = client.get("/ideas")
    assert_unavailable(response, api=False)
    db.session.rollback()


def test_an_api_client_gets_json_503(app, client):
    make = Factory()
    user = make.user()
    idea_id = make.idea(author=make.user()).id
    _token, secret = accounts.create_token(user, "outage")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    with DatabaseGone(db.engine):
        assert_unavailable(client.post(f"/api/v1/ideas/{idea_id}/vote", headers=headers), True)
        assert_unavailable(client.get(f"/api/v1/ideas/{idea_id}", headers=headers), True)
    db.session.rollback()
    assert client.post(f"/api/v1/ideas/{idea_id}/vote", headers=headers).status_code == 200


def test_the_engine_pings_pooled_connections(app):
    assert db.engine.pool._pre_ping is True


def _an_idea_and_a_token(app, name: str) -> tuple[int, dict]:
    """An idea, and the API headers of a person who may comment on and vote for it."""
    with app.app_context():
        make = Factory()
        user = make.user()
        idea_id = make.idea(author=make.user()).id
        _token, secret = accounts.create_token(user, name)
        db.session.commit()
        db.session.remove()
    return idea_id, {"Authorization": f"Bearer {secret}"}


@pytest.mark.postgres_only
@pytest.mark.skipif("postgresql" not in BACKENDS, reason="PostgreSQL is not among the databases")
def test_a_postgresql_restart_gives_503s_then_works_again():
    """Stop and start the server on the same port and data: while it is down, quick 503s;
    once it is back, the pooled connections it cut are replaced and nothing fails."""
    server = PostgresServer().start()
    try:
        app = make_test_app(migrated(server.create_database("outage")))
        client = app.test_client()
        idea_id, headers = _an_idea_and_a_token(app, "outage")
        # Fill the pool with connections the restart will cut.
        for _ in range(3):
            assert client.get(f"/api/v1/ideas/{idea_id}").status_code == 200
        server.halt()
        started = time.monotonic()
        assert_unavailable(client.get(f"/api/v1/ideas/{idea_id}"), api=True)
        assert_unavailable(client.post(f"/api/v1/ideas/{idea_id}/vote", headers=headers), True)
        assert_unavailable(client.get("/ideas"), api=False)
        assert time.monotonic() - started < 10, "requests hung while the database was down"
        server.resume()
        assert client.get(f"/api/v1/ideas/{idea_id}").status_code == 200
        answer = client.post(f"/api/v1/ideas/{idea_id}/vote", headers=headers)
        assert answer.status_code == 200 and answer.get_json()["viewer_has_voted"] is True
        with app.app_context():
            db.engine.dispose()
    finally:
        server.stop()


def test_a_connection_cut_after_the_response_does_not_turn_it_into_a_500(database_url):
    """The database restarts between the view's last query and the end of the request: the
    transaction's end (the COMMIT that ends a read, or the session's closing rollback) fails.
    The answer the view made stands."""
    from flask import template_rendered

    app = make_test_app(database_url)  # no app context kept: each request ends its own
    state = {"armed": False, "raised": 0}

    def arm(*_args, **_kwargs):  # the page is rendered: its queries are done
        state["armed"] = True

    template_rendered.connect(arm, app)

    def cut(_conn):
        if state["armed"] and not state["raised"]:
            state["raised"] += 1
            raise OperationalError(
                "ROLLBACK", {}, Exception("terminating connection due to administrator command")
            )

    with app.app_context():
        engine = db.engine
    event.listen(engine, "commit", cut)
    event.listen(engine, "rollback", cut)
    try:
        client = app.test_client()
        response = client.get("/ideas")
        assert response.status_code == 200
        assert state["raised"] == 1, "the transaction's end was reached"
        state.update(armed=False, raised=0)
        template_rendered.disconnect(arm, app)
        assert client.get("/api/v1/ideas").status_code == 200, "the next request works"
    finally:
        event.remove(engine, "commit", cut)
        event.remove(engine, "rollback", cut)
        with app.app_context():
            db.engine.dispose()


@pytest.mark.postgres_only
@pytest.mark.skipif("postgresql" not in BACKENDS, reason="PostgreSQL is not among the databases")
def test_a_write_whose_connection_the_server_terminates_gets_a_503(postgres):
    """PostgreSQL shutting down terminates the backend in the middle of a comment's INSERT:
    SQLAlchemy invalidates the connection, and the rollback that follows must still reach the
    503 handler (the load test's fault window once saw a 500 here)."""
    url = migrated(postgres.create_database("terminated"))
    app = make_test_app(url)
    idea_id, headers = _an_idea_and_a_token(app, "terminated")
    with app.app_context():
        engine = db.engine
    killer = create_engine(url, poolclass=NullPool)
    state = {"terminated": 0}

    def terminate_before_the_insert(_conn, cursor, statement, *_args):
        if statement.startswith("INSERT INTO comment") and not state["terminated"]:
            state["terminated"] += 1
            with killer.connect() as other:  # waits until the backend is gone
                other.execute(
                    text("SELECT pg_terminate_backend(:pid, 5000)"),
                    {"pid": cursor.connection.info.backend_pid},
                )

    event.listen(engine, "before_cursor_execute", terminate_before_the_insert)
    try:
        client = app.test_client()
        answer = client.post(
            f"/api/v1/ideas/{idea_id}/comments", json={"body": "Cut short"}, headers=headers
        )
        assert state["terminated"] == 1
        assert_unavailable(answer, api=True)
        again = client.post(
            f"/api/v1/ideas/{idea_id}/comments", json={"body": "Once more"}, headers=headers
        )
        assert again.status_code == 201, again.data[:300]
        with app.app_context():
            bodies = db.session.scalars(text("SELECT body FROM comment")).all()
            assert bodies == ["Once more"], "the cut comment was not half written"
    finally:
        event.remove(engine, "before_cursor_execute", terminate_before_the_insert)
        killer.dispose()
        with app.app_context():
            db.engine.dispose()
