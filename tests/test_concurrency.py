"""Vote counts stay exact when many voters hit the real server at once."""

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from portal.extensions import db
from portal.ideas.models import Idea, Vote

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
