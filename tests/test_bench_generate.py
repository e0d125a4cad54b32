"""bench/generate.py writes a consistent portal: kept counters equal recounts, votes unique."""

import sys
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import BACKENDS

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import generate  # noqa: E402  (bench/generate.py)

NOW = datetime(2026, 11, 1)
SIZES = dict(ideas=400, comments=1200, users=300, votes=6000, seed=7)


@pytest.fixture(scope="module", params=BACKENDS)
def generated(request, tmp_path_factory):
    """A small corpus on each database, and what the generator says it wrote."""
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres").create_database("bench_generate")
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('generate')}/corpus.db"
    counts = generate.generate(url, now=NOW, migrate=True, echo=lambda *_: None, **SIZES)
    engine = create_engine(url)
    yield engine, counts
    engine.dispose()


def _scalar(engine, sql: str):
    with engine.connect() as connection:
        return connection.execute(text(sql)).scalar()


def _rows(engine, sql: str):
    with engine.connect() as connection:
        return connection.execute(text(sql)).all()


def test_the_requested_sizes_are_written(generated):
    engine, counts = generated
    assert counts["idea"] == SIZES["ideas"]
    assert counts["comment"] == SIZES["comments"]
    assert counts["user"] == SIZES["users"]
    assert counts["vote"] == SIZES["votes"] == _scalar(engine, "SELECT count(*) FROM vote")


def test_every_votes_count_equals_a_recount(generated):
    engine, _counts = generated
    wrong = _rows(
        engine,
        "SELECT i.id, i.votes_count, (SELECT count(*) FROM vote v WHERE v.idea_id = i.id) "
        "FROM idea i WHERE i.votes_count != (SELECT count(*) FROM vote v WHERE v.idea_id = i.id)",
    )
    assert wrong == []


def test_every_comments_count_equals_a_recount_of_live_comments(generated):
    engine, _counts = generated
    wrong = _rows(
        engine,
        "SELECT i.id FROM idea i WHERE i.comments_count != (SELECT count(*) FROM comment c "
        "WHERE c.idea_id = i.id AND c.deleted_at IS NULL)",
    )
    assert wrong == []


def test_no_duplicate_votes_and_every_author_supports_their_idea(generated):
    engine, _counts = generated
    duplicates = _rows(
        engine, "SELECT idea_id, user_id FROM vote GROUP BY idea_id, user_id HAVING count(*) > 1"
    )
    assert duplicates == []
    unsupported = _rows(
        engine,
        "SELECT i.id FROM idea i WHERE i.merged_into_id IS NULL AND NOT EXISTS "
        "(SELECT 1 FROM vote v WHERE v.idea_id = i.id AND v.user_id = i.author_id)",
    )
    assert unsupported == []
    assert _scalar(engine, "SELECT count(*) FROM idea WHERE merged_into_id IS NOT NULL") > 0
    assert (
        _scalar(engine, "SELECT sum(votes_count) FROM idea WHERE merged_into_id IS NOT NULL") == 0
    )


def test_voters_may_see_what_they_vote_for(generated):
    """The audience rule of portal.access, in SQL: no vote from someone who could not see."""
    engine, _counts = generated
    unseen = _rows(
        engine,
        """
        SELECT v.id FROM vote v JOIN idea i ON i.id = v.idea_id JOIN "user" u ON u.id = v.user_id
        WHERE u.kind != 'staff' AND (
            (i.audience = 'customers' AND u.kind != 'customer')
            OR (i.audience = 'suppliers' AND NOT (u.kind = 'supplier' AND u.approved))
            OR (i.confidential AND (u.organization_id IS NULL
                                    OR u.organization_id != i.organization_id)))
        """,
    )
    assert unseen == []


def test_votes_are_heavy_tailed_and_never_before_the_idea(generated):
    engine, _counts = generated
    counts = [row[0] for row in _rows(engine, "SELECT votes_count FROM idea ORDER BY 1 DESC")]
    top_tenth = sum(counts[: len(counts) // 10])
    assert top_tenth > 0.4 * sum(counts)  # a few popular ideas get many of the votes
    assert counts[len(counts) // 2] < counts[0] / 5
    early = _scalar(
        engine,
        "SELECT count(*) FROM vote v JOIN idea i ON i.id = v.idea_id "
        "WHERE v.created_at < i.created_at",
    )
    assert early == 0


def test_the_hot_score_matches_the_counters(generated):
    from portal.ideas.service import hot_score

    engine, _counts = generated
    for votes, comments, created, hot in _rows(
        engine, "SELECT votes_count, comments_count, created_at, hot FROM idea"
    ):
        if isinstance(created, str):  # SQLite through plain SQL: no type to convert with
            created = datetime.fromisoformat(created)
        assert hot == pytest.approx(hot_score(votes, comments, created), abs=1e-6)


def test_the_same_seed_gives_the_same_votes_on_any_database():
    """The plan alone (no database): what both backends above were filled from."""
    first = generate.Generator(400, 1200, 300, 7, NOW, total_votes=6000)
    second = generate.Generator(400, 1200, 300, 7, NOW, total_votes=6000)
    first.plan("hash")
    second.plan("hash")
    assert list(first.votes()) == list(second.votes())
    assert sum(1 for _ in first.votes()) == 6000
