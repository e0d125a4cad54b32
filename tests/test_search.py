"""Search: visibility, keeping in sync, odd input, several writers, both backends."""

import os
import re
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.ideas import discussion, service
from portal.search import service as search
from portal.search.models import SearchTask
from portal.search.setup import rebuild, verify
from tests.conftest import Factory, make_test_app

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def app_with_backend(backend: str, database_url: str, **config):
    """The app with this search backend (PostgreSQL's only on the PostgreSQL database), in
    an app context; its tables are emptied afterwards. A generator for fixtures."""
    if backend == "postgres" and not database_url.startswith("postgresql"):
        pytest.skip("the PostgreSQL search backend needs the PostgreSQL database")
    app = make_test_app(database_url, SEARCH_BACKEND=backend, **config)
    from tests.conftest import _empty_tables

    with app.app_context():
        yield app
        db.session.remove()
    _empty_tables(app)


@pytest.fixture(params=["whoosh", "postgres"])
def search_app(request, database_url):
    """The app with each search backend (PostgreSQL's only on the PostgreSQL database)."""
    yield from app_with_backend(request.param, database_url)


@pytest.fixture
def make_s(search_app):
    return Factory()


def titles(user, q, **options):
    return sorted(item.title for item in search.search(user, q, **options).items)


def test_finds_ideas_and_comments_with_stemming_prefix_and_phrase(make_s):
    make = make_s
    idea = make.idea(title="Faster preheating for the oven", body="Preheating takes ages.")
    make.idea(title="Quieter fridge compressor", body="It hums at night.")
    discussion.add_comment(make.user(), idea, "The oven preheats slowly in winter too.")
    db.session.commit()
    assert titles(None, "preheat") == ["Faster preheating for the oven"] * 2  # idea + comment
    assert titles(None, "fridg") == ["Quieter fridge compressor"]  # prefix of the last word
    assert titles(None, '"hums at night"') == ["Quieter fridge compressor"]
    assert titles(None, "oven compressor") == []  # every word must match
    page = search.search(None, "oven")
    assert page.total == 2 and page.facets["type"] == {"idea": 1, "comment": 1}
    assert any("<mark" in item.snippet for item in page.items)


def test_filters_typed_and_from_facets_and_orders(make_s):
    make = make_s
    cat_a, cat_b = make.category(), make.category()
    low = make.idea(category=cat_a, title="Kettle idea one", kind="idea")
    high = make.idea(category=cat_b, title="Kettle problem two", kind="problem")
    for _ in range(3):
        service.set_vote(make.user(), high, True)
    service.change_status(make.user(kind="staff"), low, "planned", "Soon.")
    db.session.commit()
    assert titles(None, "kettle kind:problem") == ["Kettle problem two"]
    assert titles(None, "kettle", filters={"category": cat_a.slug}) == ["Kettle idea one"]
    assert titles(None, "kettle status:planned") == ["Kettle idea one"]
    assert titles(None, "kettle type:comment") == []
    votes = search.search(None, "kettle", order="votes").items
    assert [i.title for i in votes] == ["Kettle problem two", "Kettle idea one"]
    newest = search.search(None, "kettle", order="newest").items
    assert newest[0].title == "Kettle problem two"


def test_votes_leave_the_index_verified_and_comments_after_ideas_by_votes(make_s):
    """A vote reindexes its idea; its comments carry no vote count that would go stale."""
    make = make_s
    idea = make.idea(title="Kettle with a timer")
    other = make.idea(title="Kettle that whistles")
    discussion.add_comment(make.user(), idea, "A kettle timer would help mornings")
    for _ in range(3):
        service.set_vote(make.user(), idea, True)
    db.session.commit()
    assert verify() == []
    ordered = [(i.type, i.title) for i in search.search(None, "kettle", order="votes").items]
    assert ordered == [
        ("idea", "Kettle with a timer"),
        ("idea", other.title),
        ("comment", "Kettle with a timer"),
    ]


def test_the_index_is_written_outside_any_database_transaction(make_s, search_app):
    """A Whoosh commit takes a while: the indexer reads its tasks, ends that transaction and
    only then writes the index, so votes and comments never wait for it (SQLite's write
    lock); the tasks it did are deleted afterwards, and only those."""
    backend = search_app.extensions["search_backend"]
    if backend.name == "postgres":
        pytest.skip("the PostgreSQL backend has no index to write")
    writes, original = [], backend.write

    def write(documents, remove):
        writes.append(db.session().in_transaction())
        original(documents, remove)

    backend.write = write
    try:
        idea = make_s.idea(title="Lantern with a handle")
        service.set_vote(make_s.user(), idea, True)
        db.session.commit()
    finally:
        backend.write = original
    assert writes and not any(writes)
    assert db.session.scalar(select(SearchTask.id).limit(1)) is None
    assert verify() == []


def test_index_follows_edit_status_and_delete(make_s):
    make = make_s
    author = make.user()
    idea = make.idea(author=author, title="Blue light on the kettle")
    comment = discussion.add_comment(author, idea, "Also a beep would be nice")
    db.session.commit()
    assert titles(None, "beep") == ["Blue light on the kettle"]
    service.edit_idea(author, idea, title="Green light on the kettle")
    db.session.commit()
    assert titles(None, "blue") == [] and titles(None, "green") == ["Green light on the kettle"] * 1
    service.change_status(make.user(kind="staff"), idea, "planned")
    db.session.commit()
    assert titles(None, "green status:planned") == ["Green light on the kettle"]
    discussion.delete_comment(author, comment)
    db.session.commit()
    assert titles(None, "beep") == []
    assert db.session.scalar(select(SearchTask.id)) is None  # the queue drained
    assert verify() == []


@pytest.fixture
def make_w(database_url):
    """Factory on the app with the Whoosh backend (on either database)."""
    for _app in app_with_backend("whoosh", database_url):
        yield Factory()


def test_a_vote_or_a_comment_reindexes_only_what_it_changed(make_w):
    """A vote changes its idea's document (its votes) and no comment's (they carry none); a
    comment adds its own document and changes no other. Each vote once reindexed the whole
    thread, and each comment its idea."""
    queued = []

    def note(_conn, _cursor, statement, parameters, *_args):
        if statement.lstrip().upper().startswith("INSERT INTO SEARCH_TASK"):
            rows = parameters if isinstance(parameters, list) else [parameters]
            queued.extend(tuple(row)[:2] if not isinstance(row, dict) else
                          (row["doc_type"], row["doc_id"]) for row in rows)  # fmt: skip

    idea = make_w.idea(title="Kettle that whistles")
    for _ in range(3):
        discussion.add_comment(make_w.user(), idea, "A comment the vote must not touch")
    db.session.commit()
    from sqlalchemy import event

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        service.set_vote(make_w.user(), idea, True)
        db.session.commit()
        assert queued == [("idea", idea.id)]
        queued.clear()
        comment = discussion.add_comment(make_w.user(), idea, "Whistles too loud at night")
        db.session.commit()
        assert queued == [("comment", comment.id)]
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert titles(None, "kettle") == ["Kettle that whistles"]
    assert titles(None, "loud") == ["Kettle that whistles"]
    assert verify() == []


def test_visibility_through_search_results_totals_facets_and_similar(make_s):
    make = make_s
    org_a, org_b = make.org("Org A"), make.org("Org B")
    supplier_a = make.user(kind="supplier", org=org_a)
    supplier_b = make.user(kind="supplier", org=org_b)
    customer, staff = make.user(), make.user(kind="staff")
    moderator = make.user(role="moderator")
    staff_moderator = make.user(kind="staff", role="moderator")
    public, customers, suppliers = (make.category(a) for a in ("public", "customers", "suppliers"))
    make.idea(author=customer, category=public, title="Zebra public idea")
    make.idea(author=customer, category=customers, title="Zebra customers idea")
    make.idea(author=supplier_a, category=suppliers, title="Zebra suppliers idea")
    make.idea(author=supplier_a, category=suppliers, title="Zebra secret idea", confidential=True)
    hidden = make.idea(author=customer, category=public, title="Zebra hidden idea")
    hidden.hidden = True
    db.session.commit()
    expected = {
        None: {"Zebra public idea"},
        customer: {"Zebra public idea", "Zebra customers idea"},
        supplier_a: {"Zebra public idea", "Zebra suppliers idea", "Zebra secret idea"},
        supplier_b: {"Zebra public idea", "Zebra suppliers idea"},
        staff: {
            "Zebra public idea",
            "Zebra customers idea",
            "Zebra suppliers idea",
            "Zebra secret idea",
        },  # fmt: skip
        # A community moderator (a customer) finds what customers see, hidden ideas too.
        moderator: {"Zebra public idea", "Zebra customers idea", "Zebra hidden idea"},
        staff_moderator: {
            "Zebra public idea",
            "Zebra customers idea",
            "Zebra suppliers idea",
            "Zebra secret idea",
            "Zebra hidden idea",
        },  # fmt: skip
    }
    for user, visible in expected.items():
        page = search.search(user, "zebra")
        assert {i.title for i in page.items} == visible, user
        assert page.total == len(visible), user
        assert sum(page.facets["type"].values()) == len(visible), user
        assert sum(page.facets["category"].values()) == len(visible), user
        similar = {i.title for i in search.similar_ideas(user, "zebra idea", limit=10)}
        assert similar == visible - {"Zebra hidden idea"}, user  # suggestions: never hidden


def test_odd_queries_never_fail(make_s, search_app):
    make = make_s
    make.idea(title="Ordinary idea title")
    client = search_app.test_client()
    odd = ['"', '""', "*", "?", "AND OR", "NOT", "(", ")", "title:", "category:", "x" * 10_000,
           "😀 emoji", "'; DROP TABLE idea; --", "a:b:c", "status:nonsense", "\\", "%", "_",
           "ordinary AND", "ordin*", "ünïcödé wörds", "\u200b"]  # fmt: skip
    for q in odd:
        page = client.get("/search", query_string={"q": q})
        assert page.status_code == 200, q
        api = client.get("/api/v1/search", query_string={"q": q})
        assert api.status_code == 200, q
        assert set(api.get_json()) >= {"items", "total", "facets", "page", "per_page"}
    empty = client.get("/api/v1/search?q=").get_json()
    assert empty["items"] == [] and empty["total"] == 0
    assert client.get("/api/v1/search?q=idea&order=sideways").status_code == 422
    assert client.get("/api/v1/search?q=idea&page=0").status_code in (400, 422)


def test_api_search_items_are_plain_titles_with_marked_snippets(make_s, search_app):
    make = make_s
    make.idea(title="Support <T> in oven lists", body="Generic oven <b>types</b> please")
    client = search_app.test_client()
    data = client.get("/api/v1/search?q=oven").get_json()
    item = data["items"][0]
    assert item["title"] == "Support <T> in oven lists"
    assert item["type"] == "idea" and item["url"].endswith(f"/ideas/{item['id']}")
    assert "<mark" in item["snippet"] and "<b>" not in item["snippet"]
    assert "&lt;b&gt;" in item["snippet"]


def test_verify_catches_a_corrupted_index_and_rebuild_fixes_it(make_s, search_app):
    if search_app.config["SEARCH_BACKEND"] != "whoosh":
        pytest.skip("the PostgreSQL backend has no separate index to corrupt")
    make = make_s
    first = make.idea(title="Corruption target one")
    make.idea(title="Corruption target two")
    db.session.commit()
    assert verify() == []
    backend = search_app.extensions["search_backend"]
    backend.write([], {f"idea:{first.id}"})  # the index loses a document behind our back
    problems = verify()
    assert problems == [f"missing from the index: idea:{first.id}"]
    runner = search_app.test_cli_runner()
    result = runner.invoke(args=["search", "verify"])
    assert result.exit_code == 1 and f"idea:{first.id}" in result.output
    assert rebuild(progress=False) == 2
    assert runner.invoke(args=["search", "verify"]).exit_code == 0


WRITER = textwrap.dedent(
    """
    import sys
    from config import TestingConfig
    from portal import create_app
    url, index_dir, token, count, tag = sys.argv[1:6]
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url, SEARCH_INDEX_DIR=index_dir)
    client = app.test_client()
    for n in range(int(count)):
        response = client.post(
            "/api/v1/ideas",
            json={"title": f"Parallel {tag} idea {n}", "body": "concurrency", "category": "pub"},
            headers={"Authorization": "Bearer " + token},
        )
        assert response.status_code == 201, response.get_data(as_text=True)
    """
)


def test_several_processes_writing_at_once_lose_nothing(make_s, search_app, database_url):
    if search_app.config["SEARCH_BACKEND"] != "whoosh":
        pytest.skip("only the Whoosh backend has a shared index to write")
    make = make_s
    make.category(slug="pub")
    from portal.accounts import service as accounts

    tokens = []
    for _ in range(4):
        _token, secret = accounts.create_token(make.user(), "writer")
        tokens.append(secret)
    db.session.commit()
    index_dir = search_app.config["SEARCH_INDEX_DIR"]
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, database_url, index_dir, token, "15", f"w{n}"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for n, token in enumerate(tokens)
    ]
    for process in processes:
        output = process.communicate(timeout=240)[0].decode()
        assert process.returncode == 0, output[-3000:]
    db.session.rollback()
    page = search.search(None, "parallel", per_page=100)
    assert page.total == 60
    assert verify() == []


def test_snippets_quote_the_words_not_the_markdown(make_s):
    make = make_s
    make.idea(title="Preheat alert", body="A **tap on the wrist** when the _oven_ is hot & ready")
    db.session.commit()
    [item] = search.search(None, "wrist").items
    assert "**" not in item.snippet and "_oven_" not in item.snippet
    assert ">wrist</mark>" in item.snippet and "hot &amp; ready" in item.snippet


def test_snippets_of_text_that_looks_like_html_stay_escaped(make_s):
    make = make_s
    body = "Type `<img src=x onerror=alert(1)>` near the wrist &lt;b&gt;"
    make.idea(title="Escaping check", body=body)
    db.session.commit()
    [item] = search.search(None, "wrist").items
    assert "<img" not in item.snippet and "<b>" not in item.snippet
    assert "&lt;img" in item.snippet


def _long_body(words: int = 3100) -> str:
    """About 20,000 characters of ordinary words that match nothing searched below."""
    filler = "pallet crate forklift ramp dock shelf"
    return " ".join(filler.split()[n % 6] for n in range(words))


def test_a_match_deep_inside_a_long_body_gets_a_highlighted_snippet(make_s):
    make = make_s
    body = _long_body() + " the <b>wristband</b> beeps & blinks " + _long_body(40)
    assert 19_000 < len(body) <= 20_000
    make.idea(title="Warehouse alarm", body=body)
    db.session.commit()
    [item] = search.search(None, "wristbands").items
    assert re.search(r"<mark[^>]*>wristband</mark>", item.snippet), item.snippet
    assert "&lt;b&gt;" in item.snippet and "&amp; blinks" in item.snippet
    assert "<b>" not in item.snippet
    assert len(item.snippet) < 1000, "a snippet, not the body"


def test_highlighting_work_per_hit_does_not_grow_with_the_body(make_s, monkeypatch):
    """Every hit's text is no longer run through the analyser whole: the highlighter gets a
    bounded window around the match (and nothing when the words only occur in the title)."""
    make = make_s
    for n in range(5):
        make.idea(title=f"Dock report {n}", body=_long_body() + " a broken wristband here")
    make.idea(title="Wristband in the title only", body=_long_body())
    short = make.idea(title="Short one", body="A wristband that is short and sweet.")
    db.session.commit()
    handed = []
    real = search.highlight

    def counting_highlight(text, *args, **kwargs):
        handed.append(len(text))
        return real(text, *args, **kwargs)

    monkeypatch.setattr(search, "highlight", counting_highlight)
    page = search.search(None, "wristband", per_page=100)
    assert page.total == 7 and len(page.items) == 7
    marked = [i for i in page.items if "<mark" in i.snippet]
    assert len(marked) == 6, "every body with the word shows it highlighted"
    assert len(handed) == 6, "one window per body with the word; none for the title-only hit"
    assert max(handed) <= 5_000, "a window of a few thousand characters per hit"
    assert sum(handed) <= 7 * 5_000  # was about 7 × 20,000
    # An ordinary text is highlighted whole, as before.
    short_item = next(i for i in page.items if i.id == short.id)
    assert short_item.snippet.startswith("A <mark")
    assert len("A wristband that is short and sweet.") in handed


def test_a_picked_facet_value_keeps_the_fields_other_values_in_view(make_s):
    """Filtering by a category counts the categories as if it were not picked (the other
    filters still apply), so the others stay in view to switch to."""
    make = make_s
    cat_a, cat_b = make.category(), make.category()
    make.idea(category=cat_a, title="Kettle idea one", kind="idea")
    make.idea(category=cat_b, title="Kettle idea two", kind="idea")
    make.idea(category=cat_b, title="Kettle problem three", kind="problem")
    db.session.commit()
    page = search.search(None, "kettle", filters={"category": cat_a.slug})
    assert [i.title for i in page.items] == ["Kettle idea one"] and page.total == 1
    assert page.facets["category"] == {cat_a.slug: 1, cat_b.slug: 2}
    assert page.facets["kind"] == {"idea": 1}  # other fields count within the filter
    both = search.search(None, "kettle", filters={"category": cat_b.slug, "kind": "problem"})
    assert both.facets["category"] == {cat_b.slug: 1}  # within kind:problem
    assert both.facets["kind"] == {"idea": 1, "problem": 1}  # within category b
