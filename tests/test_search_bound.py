"""Search totals follow the idea list's rule: exact up to SEARCH_COUNT_BOUND, "more than"
beyond it, pages only up to the bound; the PostgreSQL backend reads at most bound + 1
matches and counts its facets within the first `bound`. Both backends, a bound of 5."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.ideas import discussion, service
from portal.ideas.models import Comment, Idea
from portal.search import service as search
from portal.search import tasks
from portal.search.querying import parse
from tests.conftest import Factory
from tests.test_search import app_with_backend

BOUND = 5
START = datetime(2026, 1, 1)


@pytest.fixture(params=["whoosh", "postgres"])
def bound_app(request, database_url):
    yield from app_with_backend(request.param, database_url, SEARCH_COUNT_BOUND=BOUND)


@pytest.fixture
def make_b(bound_app):
    return Factory()


def is_postgres(app) -> bool:
    return app.config["SEARCH_BACKEND"] == "postgres"


def kettles(make, count: int, category=None, **options) -> list[Idea]:
    """`count` ideas about kettles, the first the oldest, one day apart."""
    found = []
    for n in range(count):
        idea = make.idea(title=f"Kettle idea {n}", category=category, **options)
        idea.created_at = START + timedelta(days=n)
        found.append(idea)
    db.session.commit()
    _reindex(found)
    return found


def _reindex(ideas) -> None:
    """Queue the ideas again (a date is no field the change listener follows)."""
    for idea in ideas:
        tasks.enqueue(db.session, "idea", idea.id)
    db.session.commit()


@pytest.mark.parametrize("matches", [BOUND - 1, BOUND])
def test_up_to_the_bound_the_total_and_facets_are_exact(make_b, matches):
    kettles(make_b, matches)
    page = search.search(None, "kettle", per_page=2)
    assert (page.total, page.total_exact, page.facets_within) == (matches, True, None)
    assert page.facets["type"] == {"idea": matches}
    assert page.pages == -(-matches // 2) and not page.beyond_bound


def test_past_the_bound_the_total_is_more_than_and_pages_stop_at_it(make_b, bound_app):
    ideas = kettles(make_b, BOUND + 4)
    page = search.search(None, "kettle", order="newest", per_page=2)
    assert (page.total, page.total_exact, page.pages, page.has_next) == (BOUND, False, 3, True)
    newest_first = [i.id for i in reversed(ideas)]
    assert [item.id for item in page.items] == newest_first[:2]
    last = search.search(None, "kettle", order="newest", per_page=2, page=3)
    # Only what lies within the bound is shown, on every backend.
    assert [item.id for item in last.items] == newest_first[4:5]
    assert not last.has_next and not last.beyond_bound
    beyond = search.search(None, "kettle", order="newest", per_page=2, page=4)
    assert beyond.beyond_bound and beyond.items == [] and not beyond.total_exact
    assert "first 5 results" in beyond.beyond_message
    if is_postgres(bound_app):
        # Facets count the first BOUND results, and say so.
        assert page.facets_within == BOUND and page.facets["type"] == {"idea": BOUND}
    else:
        # Whoosh counts every match's facets cheaply: exact, and not marked as bounded.
        assert page.facets_within is None and page.facets["type"] == {"idea": BOUND + 4}


def test_the_bounded_total_counts_only_what_the_viewer_may_see(make_b):
    make = make_b
    public, customers = make.category("public"), make.category("customers")
    kettles(make, BOUND - 1, category=public)
    kettles(make, 3, category=customers)
    hidden = kettles(make, 2, category=public)
    for idea in hidden:
        idea.hidden = True
    db.session.commit()
    _reindex(hidden)
    anonymous = search.search(None, "kettle")
    assert (anonymous.total, anonymous.total_exact) == (BOUND - 1, True)
    customer = search.search(make.user(), "kettle")
    assert (customer.total, customer.total_exact) == (BOUND, False)
    moderator = search.search(make.user(role="moderator"), "kettle")
    assert (moderator.total, moderator.total_exact) == (BOUND, False)


def test_exact_totals_below_the_bound_match_the_database_with_comments(make_b):
    """Ideas and comments, each viewer: the total is the true count of what matches."""
    make = make_b
    author = make.user()
    idea = make.idea(author=author, title="Descaling the kettle")
    make.idea(title="Quieter fridge")
    discussion.add_comment(author, idea, "The kettle furs up in a week.")
    removed = discussion.add_comment(author, idea, "Kettle again")
    discussion.delete_comment(author, removed)
    db.session.commit()
    visible = db.session.scalar(
        select(func.count())
        .select_from(Comment)
        .where(Comment.deleted_at.is_(None), Comment.body.ilike("%kettle%"))
    ) + db.session.scalar(select(func.count()).where(Idea.title.ilike("%kettle%")))
    page = search.search(None, "kettle")
    assert (page.total, page.total_exact) == (visible, True) == (2, True)
    assert page.facets["type"] == {"idea": 1, "comment": 1}


def test_the_bounded_window_keeps_the_first_results_of_each_order(make_b, bound_app):
    """Most voted first even when old: the window follows the order asked for."""
    make = make_b
    ideas = kettles(make, BOUND + 3)
    oldest = ideas[0]
    for _ in range(2):
        service.set_vote(make.user(), oldest, True)
    db.session.commit()
    by_votes = search.search(None, "kettle", order="votes")
    assert by_votes.items[0].id == oldest.id and not by_votes.total_exact
    newest = search.search(None, "kettle", order="newest")
    assert newest.items[0].id == ideas[-1].id
    ranked = search.search(None, "kettle", per_page=20)
    assert len(ranked.items) == BOUND
    assert {i.id for i in ranked.items} <= {i.id for i in ideas}
    again = search.search(None, "kettle", per_page=20)
    assert [i.id for i in again.items] == [i.id for i in ranked.items]  # the same window


def test_the_postgres_backend_without_a_bound_counts_everything(make_b, bound_app):
    if not is_postgres(bound_app):
        pytest.skip("only the PostgreSQL backend bounds its own work")
    kettles(make_b, BOUND + 2)
    unbounded = search.backend().search(parse("kettle"), None)
    assert unbounded.total == BOUND + 2 and unbounded.facets_within is None
    bounded = search.backend().search(parse("kettle", bound=BOUND), None)
    assert bounded.total == BOUND + 1 and bounded.facets_within == BOUND


def test_the_page_and_the_api_say_more_than_and_refuse_pages_past_the_bound(make_b, bound_app):
    kettles(make_b, BOUND + 2)
    client = bound_app.test_client()
    page = client.get("/search?q=kettle&per_page=2")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "More than 5 results" in html
    assert "Page 1" in html and "Page 1 of" not in html and 'rel="next"' in html
    assert ("Counts within the first 5 results" in html) == is_postgres(bound_app)
    past = client.get("/search?q=kettle&per_page=2&page=4")
    text = past.get_data(as_text=True)
    assert past.status_code == 200 and "Only the first 5 results can be shown" in text
    assert "page=3" in text and "Nothing found" not in text
    api = client.get("/api/v1/search?q=kettle&per_page=2").get_json()
    assert (api["total"], api["total_exact"]) == (BOUND, False)
    assert api["facets_exact"] is not is_postgres(bound_app)
    refused = client.get("/api/v1/search?q=kettle&per_page=2&page=4")
    assert refused.status_code == 422
    assert "Only the first 5 results" in refused.get_json()["error"]["message"]
    make_b.idea(title="Descaling tips")
    exact = client.get("/api/v1/search?q=descaling").get_json()
    assert (exact["total"], exact["total_exact"], exact["facets_exact"]) == (1, True, True)


def test_a_phrase_names_its_words_once_in_the_postgres_query():
    """`door & seal & door <-> seal` made PostgreSQL guess the phrase 50 times rarer than
    it is, and sort every match instead of stopping early."""
    from portal.search.postgres_backend import tsquery_text

    assert tsquery_text(parse('"door seal"')) == "('door' <-> 'seal')"
    assert tsquery_text(parse('oven "door seal" hinge')) == (
        "'oven' & 'hinge':* & ('door' <-> 'seal')"
    )
    assert tsquery_text(parse('"door seal" door')) == "'door':* & ('door' <-> 'seal')"
    # Any word may match (similar ideas): every word stays, as an alternative.
    assert tsquery_text(parse('"door seal"', match_any=True)) == (
        "'door' | 'seal' | ('door' <-> 'seal')"
    )
