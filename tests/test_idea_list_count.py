"""The idea list counts at most COUNT_LIMIT ideas, and never shows a bound as an exact total."""

import pytest

from portal.ideas import service


@pytest.fixture
def few_counted(monkeypatch):
    """Count at most 5 ideas, so a handful of ideas shows what 1,000 would."""
    monkeypatch.setattr(service, "COUNT_LIMIT", 5)


@pytest.fixture
def nine_ideas(make):
    category = make.category()
    author = make.user()
    return [make.idea(author=author, category=category) for _ in range(9)]


def test_up_to_the_limit_the_total_is_exact(make, few_counted):
    category = make.category()
    for _ in range(5):
        make.idea(category=category)
    page = service.list_ideas(None, per_page=2)
    assert (page.total, page.total_exact, page.pages, page.has_next) == (5, True, 3, True)


def test_past_the_limit_the_total_is_a_lower_bound(nine_ideas, few_counted):
    first = service.list_ideas(None, per_page=2)
    assert (first.total, first.total_exact) == (5, False)
    assert first.has_next and not first.has_prev
    middle = service.list_ideas(None, per_page=2, page=4)  # ideas 7 and 8
    assert (middle.total, middle.total_exact, middle.has_next) == (8, False, True)
    # The last page knows everything before it: the total is exact again.
    last = service.list_ideas(None, per_page=2, page=5)
    assert (last.total, last.total_exact, last.pages, last.has_next) == (9, True, 5, False)
    beyond = service.list_ideas(None, per_page=2, page=9)
    assert beyond.items == [] and not beyond.total_exact and not beyond.has_next
    assert beyond.total == 5


def test_every_idea_is_reached_by_following_next(nine_ideas, few_counted):
    seen, number = [], 1
    while True:
        page = service.list_ideas(None, per_page=2, page=number)
        seen += [idea.id for idea in page.items]
        if not page.has_next:
            break
        number += 1
    assert sorted(seen) == sorted(idea.id for idea in nine_ideas)


def test_the_page_says_more_than_and_shows_no_last_page(client, nine_ideas, few_counted):
    html = client.get("/ideas?per_page=2").get_data(as_text=True)
    assert '<p class="list-summary">More than 5 ideas</p>' in html
    assert "Page 1</span>" in html and " of " not in html.split("Page 1", 1)[1][:10]
    assert 'rel="next"' in html
    last = client.get("/ideas?per_page=2&page=5").get_data(as_text=True)
    assert '<p class="list-summary">9 ideas</p>' in last
    assert "Page 5 of 5" in last and 'rel="next"' not in last
    home = client.get("/").get_data(as_text=True)
    assert "All ideas (more than 8)" in home  # the 8 trending shown, and more


def test_the_api_total_stays_exact(client, nine_ideas, few_counted):
    body = client.get("/api/v1/ideas?per_page=2").get_json()
    assert body["total"] == 9 and len(body["items"]) == 2


def test_the_exact_total_is_shown_below_the_limit(client, nine_ideas):
    html = client.get("/ideas?per_page=2").get_data(as_text=True)
    assert '<p class="list-summary">9 ideas</p>' in html
    assert "Page 1 of 5" in html
    assert "All 9 ideas" in client.get("/").get_data(as_text=True)


def test_the_count_stops_at_the_limit(app, nine_ideas, few_counted, count_queries):
    """The count query itself carries the limit: it reads at most COUNT_LIMIT + 1 rows."""
    with count_queries() as queries:
        service.list_ideas(None, per_page=2)
    counts = [q for q in queries if "count(" in q.lower()]
    assert len(counts) == 1 and "LIMIT" in counts[0].upper()
