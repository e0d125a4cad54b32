"""The anonymous page cache: served from memory for visitors only, never for people."""

import pytest

from portal.extensions import db


@pytest.fixture
def cached(app, monkeypatch):
    """The app with a page cache whose clock the test moves."""
    clock = {"now": 1000.0}
    monkeypatch.setattr("portal.lru.time.monotonic", lambda: clock["now"])
    app.config["PAGE_CACHE_SECONDS"] = 2.0
    app.extensions["page_cache"].clear()
    yield clock
    app.extensions["page_cache"].clear()


PAGES = [
    "/",
    "/ideas",
    "/ideas?sort=new&kind=problem",
    "/roadmap",
    "/changelog",
    "/search?q=kettle",
]


@pytest.mark.parametrize("path", PAGES)
def test_a_visitor_is_served_from_memory_until_the_page_expires(
    app, make, cached, count_queries, path
):
    category = make.category("public")
    make.idea(category=category, title="Kettle that whistles")
    db.session.commit()
    client = app.test_client()
    first = client.get(path)
    assert first.status_code == 200
    assert not first.headers.getlist("Set-Cookie"), "a visitor's page must not start a session"
    make.idea(category=category, title="Kettle with a timer", kind="problem")
    db.session.commit()
    with count_queries() as queries:
        again = app.test_client().get(path)
    assert again.get_data() == first.get_data() and queries == []
    assert again.headers["X-Request-ID"] != first.headers["X-Request-ID"]
    assert "Content-Security-Policy" in again.headers
    cached["now"] += 2.5
    fresh = app.test_client().get(path)
    if path.startswith(("/ideas", "/search")):
        assert "Kettle with a timer" in fresh.get_data(as_text=True)


def test_an_idea_page_is_cached_but_not_a_missing_one(app, make, cached, count_queries):
    idea = make.idea(title="Quieter fan")
    db.session.commit()
    client = app.test_client()
    assert client.get(f"/ideas/{idea.id}").status_code == 200
    with count_queries() as queries:
        assert client.get(f"/ideas/{idea.id}").status_code == 200
    assert queries == []
    client.get("/ideas/987654")
    with count_queries() as queries:
        assert client.get("/ideas/987654").status_code == 404
    assert queries, "a 404 is not kept"


def test_people_signed_in_never_get_a_cached_page(app, client, make, cached, login, count_queries):
    author = make.user()
    category = make.category("public")
    make.idea(category=category, title="Kettle that whistles")
    db.session.commit()
    app.test_client().get("/ideas")  # a visitor fills the cache
    login(author)
    make.idea(author=author, category=category, title="My own kettle idea")
    db.session.commit()
    with count_queries() as queries:
        page = client.get("/ideas")
    assert "My own kettle idea" in page.get_data(as_text=True)
    assert queries
    # ... and what they were served is not handed to visitors either.
    assert "My own kettle idea" not in app.test_client().get("/ideas").get_data(as_text=True)


def test_htmx_fragments_and_full_pages_are_kept_apart(app, make, cached):
    make.idea(title="Kettle that whistles")
    db.session.commit()
    client = app.test_client()
    full = client.get("/ideas").get_data(as_text=True)
    fragment = client.get("/ideas", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" in full.lower() and "<html" not in fragment.lower()
    assert client.get("/ideas").get_data(as_text=True) == full


def test_a_visitor_with_something_in_the_session_is_not_served_from_the_cache(
    app, make, cached, count_queries
):
    make.idea(title="Kettle that whistles")
    db.session.commit()
    app.test_client().get("/ideas")
    client = app.test_client()
    with client.session_transaction() as session:
        session["_flashes"] = [("message", "Signed out.")]
    with count_queries() as queries:
        page = client.get("/ideas").get_data(as_text=True)
    assert queries and "Signed out." in page


def test_off_when_the_setting_is_zero(app, make, count_queries):
    assert app.config["PAGE_CACHE_SECONDS"] == 0
    make.idea(title="Kettle that whistles")
    db.session.commit()
    app.test_client().get("/ideas")
    with count_queries() as queries:
        app.test_client().get("/ideas")
    assert queries
