"""Vote counts stay exact when many voters hit the real server at once."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.pool import NullPool

from portal.extensions import db
from portal.ideas.models import Follow, Idea, Vote

VOTERS = 24


def _recount(idea_id: int) -> tuple[int, int]:
    db.session.rollback()  # end this thread's snapshot: see what the requests committed
    kept = db.session.get(Idea, idea_id).votes_count
    counted = db.session.scalar(select(func.count(Vote.id)).where(Vote.idea_id == idea_id))
    return kept, counted


def _hammer(app, requests):
    """Send (method, url, headers) requests from many threads, each with its own client."""

    def send(request):
        method, url, headers = request
        with app.test_client() as client:
            return client.open(url, method=method, headers=headers).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        return list(pool.map(send, requests))


def test_many_concurrent_voters_are_counted_exactly(app, make, token_for):
    idea = make.idea()
    headers = [token_for(make.user()) for _ in range(VOTERS)]
    url = f"/api/v1/ideas/{idea.id}/vote"
    # Every voter votes twice at once: the second must change nothing.
    statuses = _hammer(app, [("POST", url, h) for h in headers for _ in range(2)])
    assert statuses == [200] * (2 * VOTERS)
    assert _recount(idea.id) == (VOTERS + 1, VOTERS + 1)


def test_concurrent_votes_and_withdrawals_stay_exact(app, make, token_for):
    idea = make.idea()
    url = f"/api/v1/ideas/{idea.id}/vote"
    headers = [token_for(make.user()) for _ in range(VOTERS)]
    _hammer(app, [("POST", url, h) for h in headers])
    assert _recount(idea.id) == (VOTERS + 1, VOTERS + 1)
    # Half withdraw (twice each) while the other half vote again.
    half = VOTERS // 2
    mixed = [("DELETE", url, h) for h in headers[:half] for _ in range(2)]
    mixed += [("POST", url, h) for h in headers[half:]]
    statuses = _hammer(app, mixed)
    assert set(statuses) == {200}
    assert _recount(idea.id) == (VOTERS - half + 1, VOTERS - half + 1)


def test_concurrent_comments_keep_the_comment_counter(app, make, token_for):
    idea = make.idea()
    headers = [token_for(make.user()) for _ in range(12)]
    url = f"/api/v1/ideas/{idea.id}/comments"

    def post(h):
        with app.test_client() as client:
            return client.post(url, json={"body": "Me too!"}, headers=h).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        assert list(pool.map(post, headers * 2)) == [201] * 24
    db.session.rollback()
    assert db.session.get(Idea, idea.id).comments_count == 24


def _another_writer_goes_ahead(database_url: str, idea_id: int) -> bool:
    """Whether another connection could write the idea right now, without waiting."""
    import sqlite3

    from sqlalchemy import create_engine, exc, text

    if database_url.startswith("sqlite"):
        other = sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # SQLite's one write lock
            other.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            other.close()
    engine = create_engine(database_url)
    try:
        with engine.connect() as other:
            other.execute(text("SELECT id FROM idea WHERE id = :id FOR UPDATE NOWAIT"),
                          {"id": idea_id})  # fmt: skip
            return True
    except exc.OperationalError:
        return False
    finally:
        engine.dispose()


def test_answers_to_writes_are_rendered_after_the_commit(app, client, make, login, database_url):
    """The htmx answer to a vote, a follow or a comment is rendered once the change is
    committed: no other writer waits for its rendering (SQLite's write lock, the idea's row
    lock on PostgreSQL)."""
    from flask import before_render_template

    idea = make.idea()
    login(make.user())
    seen = []

    def check(_app, template, context, **_extra):
        seen.append((template.name, _another_writer_goes_ahead(database_url, idea.id)))

    htmx = {"HX-Request": "true"}
    with before_render_template.connected_to(check, app):
        assert client.post(f"/ideas/{idea.id}/vote", headers=htmx).status_code == 200
        assert client.post(f"/ideas/{idea.id}/follow", headers=htmx).status_code == 200
        posted = client.post(f"/ideas/{idea.id}/comments", data={"body": "Good one."},
                             headers=htmx)  # fmt: skip
        assert posted.status_code == 200 and "Good one." in posted.get_data(as_text=True)
    assert seen == [
        ("ideas/_vote_button.html", True),
        ("ideas/_follow_button.html", True),
        ("ideas/_posted.html", True),
    ]
    db.session.rollback()
    assert db.session.get(Idea, idea.id).votes_count == 2  # the author's and this one


def test_a_vote_whose_counters_moved_locks_the_idea_before_following_it(
    app, make, token_for, database_url
):
    """PostgreSQL: a vote writes its row, the counters and the voter's follow in one
    statement. When another writer moved the counters first, the vote updates them again on
    their own; meanwhile a comment of the same person has locked the idea's row and then
    follows the idea, as a comment does. Had the vote's statement followed before that
    second update, each would wait for the other (the two-host test met this deadlock)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("row locks between concurrent transactions: PostgreSQL")
    voter = make.user()
    idea = make.idea()
    headers = token_for(voter)
    idea_id, voter_id = idea.id, voter.id
    db.session.commit()
    other = create_engine(database_url, poolclass=NullPool)
    bump = text("UPDATE idea SET comments_count = comments_count + 1 WHERE id = :idea")
    follow = text(
        "INSERT INTO follow (idea_id, user_id, created_at) VALUES (:idea, :user, now()) "
        "ON CONFLICT DO NOTHING"
    )
    commenter, errors = {}, []
    pool = ThreadPoolExecutor(max_workers=1)

    def follow_then_commit(connection, transaction):
        try:
            connection.execute(follow, {"idea": idea_id, "user": voter_id})
            transaction.commit()
        except Exception as error:  # a deadlock's loser
            errors.append(error)
            transaction.rollback()
        finally:
            connection.close()

    def meanwhile(_conn, _cursor, statement, *_args):
        if statement.startswith("WITH changed_vote") and "moved" not in commenter:
            commenter["moved"] = True  # another comment commits: the counters moved
            with other.begin() as connection:
                connection.execute(bump, {"idea": idea_id})
        elif statement.startswith("UPDATE idea SET votes_count=(idea.votes_count"):
            connection = other.connect()  # the next comment: the idea's row, then the follow
            transaction = connection.begin()
            connection.execute(bump, {"idea": idea_id})
            commenter["done"] = pool.submit(follow_then_commit, connection, transaction)
            time.sleep(0.3)  # it reaches its INSERT before this UPDATE waits for its commit

    event.listen(db.engine, "before_cursor_execute", meanwhile)
    try:
        with app.test_client() as client:
            answer = client.post(f"/api/v1/ideas/{idea_id}/vote", headers=headers)
        commenter["done"].result(timeout=30)
    finally:
        event.remove(db.engine, "before_cursor_execute", meanwhile)
        pool.shutdown()
        other.dispose()
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    assert not errors, errors
    assert _recount(idea_id)[0] == _recount(idea_id)[1]
    assert db.session.scalar(select(func.count()).select_from(Follow).where(
        Follow.idea_id == idea_id, Follow.user_id == voter_id)) == 1  # fmt: skip
