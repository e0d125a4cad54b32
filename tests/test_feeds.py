"""Atom feeds (SPEC 16): valid Atom, the list's filters, an idea's status changes and official
responses, the changelog; only what an anonymous visitor may read, whoever asks; linked from
the pages they follow."""

import re

import feedparser
import pytest
from sqlalchemy import update

from portal.extensions import db
from portal.feeds.views import XML_FORBIDDEN
from portal.ideas import discussion
from portal.ideas import service as ideas
from portal.ideas.models import Comment, Idea
from portal.moderation import service as moderation
from portal.tracking import service as tracking
from portal.tracking.models import ImprovementItem

ATOM = "application/atom+xml; charset=utf-8"
ALTERNATE = re.compile(r'<link rel="alternate" type="application/atom\+xml"[^>]*href="([^"]+)"')


def read_feed(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    if status != 200:
        return None
    assert response.headers["Content-Type"] == ATOM
    assert response.get_data().startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<feed ')
    feed = feedparser.parse(response.get_data())
    assert feed.bozo == 0, (path, feed.get("bozo_exception"))
    assert feed.version == "atom10"
    return feed


def titles(feed) -> list[str]:
    return [entry.title for entry in feed.entries]


def ship(staff, idea_ids, title="Shipped thing", description="It is **out**."):
    item = tracking.promote(staff, idea_ids, title=title, description=description)
    tracking.update_item(staff, item, status="in_progress")
    tracking.update_item(staff, item, status="shipped", note="Live.")
    db.session.commit()
    return item


@pytest.fixture
def staff(make):
    return make.user("staff", name="Stella Staff")


@pytest.fixture
def public(make):
    return make.category("public", slug="forum")


# -- valid Atom, with what a feed reader needs ---------------------------------------------------


def test_idea_list_feed_is_valid_atom_with_every_entry_field(client, make, public):
    author = make.user("customer", name="Carla Customer")
    first = make.idea(author=author, category=public, title="Quieter fans",
                      body="Please make the fan **quieter**.")  # fmt: skip
    second = make.idea(author=author, category=public, title="Brighter light")

    feed = read_feed(client, "/ideas.atom?sort=new")

    assert feed.feed.title == "Ideas · new · Northwind Portal"
    assert feed.feed.id == "http://127.0.0.1:5000/ideas.atom?sort=new"
    assert feed.feed.updated_parsed is not None
    links = {link.rel: link.href for link in feed.feed.links}
    assert links == {"self": "http://localhost/ideas.atom?sort=new",
                     "alternate": "http://localhost/ideas?sort=new"}  # fmt: skip
    assert titles(feed) == ["Brighter light", "Quieter fans"]
    entry = feed.entries[1]
    # Ids stay the same whichever host name served the feed: they are built on PORTAL_URL.
    assert entry.id == f"http://127.0.0.1:5000/ideas/{first.id}"
    assert entry.link == f"http://localhost/ideas/{first.id}"
    assert entry.author == "Carla Customer"
    assert entry.published_parsed and entry.updated_parsed
    assert entry.content[0].type == "text/html"
    assert "<strong>quieter</strong>" in entry.content[0].value
    assert {(t.term, t.label) for t in entry.tags} == {("forum", public.name), ("open", "Open")}
    assert feed.entries[0].id.endswith(f"/ideas/{second.id}")


def test_feeds_can_be_cached_and_asked_again_cheaply(client, make, public):
    make.idea(category=public, title="Cache me please")
    for path in ("/ideas.atom", "/changelog.atom"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] in ("public, max-age=60", "max-age=60, public")
        etag = response.headers["ETag"]
        assert response.headers["Last-Modified"]
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.get_data() == b""


def test_a_feed_fetched_signed_in_sets_no_cookie_a_shared_cache_could_keep(client, make, login,
                                                                           public):  # fmt: skip
    make.idea(category=public, title="Shared by everyone")
    login(make.user("staff", role="admin"))
    response = client.get("/ideas.atom")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


# -- filters and sort ------------------------------------------------------------------------


def test_the_list_feed_takes_the_lists_filters_and_sort(client, make, staff, public):
    other = make.category("public", slug="kitchen")
    problem = make.idea(category=public, title="Door squeaks loudly", kind="problem")
    planned = make.idea(category=public, title="Add a timer please")
    ideas.change_status(staff, planned, "planned", "We will do this.")
    in_kitchen = make.idea(category=other, title="Kitchen kettle idea")
    popular = make.idea(category=other, title="Popular kettle idea")
    for _ in range(3):
        ideas.toggle_vote(make.user(), popular)
    db.session.commit()

    assert titles(read_feed(client, "/ideas.atom?category=kitchen&sort=new")) == [
        popular.title, in_kitchen.title]  # fmt: skip
    assert titles(read_feed(client, "/ideas.atom?status=planned")) == [planned.title]
    assert titles(read_feed(client, "/ideas.atom?kind=problem")) == [problem.title]
    assert titles(read_feed(client, "/ideas.atom?sort=top"))[0] == popular.title
    feed = read_feed(client, "/ideas.atom?category=kitchen&status=open&kind=idea&sort=top")
    assert feed.feed.title == f"Ideas · {other.name} · Open · Idea · top · Northwind Portal"
    assert titles(feed) == [popular.title, in_kitchen.title]
    # An unknown category is an empty list, as on the page.
    assert read_feed(client, "/ideas.atom?category=nowhere").entries == []


@pytest.mark.parametrize("query", ["sort=loudest", "status=maybe", "kind=rant", "category=%0b"])
def test_a_filter_that_does_not_exist_is_a_clear_error_not_a_500(client, query):
    response = client.get(f"/ideas.atom?{query}")
    assert 400 <= response.status_code < 500


# -- one idea's feed -------------------------------------------------------------------------


def test_an_ideas_feed_carries_its_status_changes_and_official_responses(client, make, staff,
                                                                         public):  # fmt: skip
    idea = make.idea(category=public, title="Descale reminder")
    ideas.change_status(staff, idea, "under_review", "Looking at <this> & that.")
    ideas.change_status(staff, idea, "planned")
    official = discussion.add_comment(staff, idea, "We *will* ship it.", official=True)
    discussion.add_comment(make.user(), idea, "Me too, a plain comment.")
    db.session.commit()

    feed = read_feed(client, f"/ideas/{idea.id}.atom")

    assert feed.feed.title == "Descale reminder: status and official responses · Northwind Portal"
    assert {link.rel: link.href for link in feed.feed.links}["alternate"] == (
        f"http://localhost/ideas/{idea.id}"
    )
    assert sorted(titles(feed)) == ["Official response: Descale reminder",
                                    "Planned: Descale reminder",
                                    "Under review: Descale reminder"]  # fmt: skip
    by_title = {entry.title: entry for entry in feed.entries}
    review = by_title["Under review: Descale reminder"]
    assert review.content[0].value == "<p>Looking at &lt;this&gt; &amp; that.</p>"
    assert review.author == "Stella Staff"
    assert "/history#status-" in review.link
    answer = by_title["Official response: Descale reminder"]
    assert "<em>will</em>" in answer.content[0].value
    assert answer.link == f"http://localhost/ideas/{idea.id}#comment-{official.id}"
    assert len({entry.id for entry in feed.entries}) == 3
    assert "plain comment" not in str(feed)


# -- only what an anonymous visitor may read, whoever asks -----------------------------------


@pytest.fixture
def unseen(make, staff, public):
    """Content no anonymous visitor may read, beside a public idea with a hidden official
    response; every title and body carries `secret`."""
    mod = make.user("staff", role="moderator")
    supplier = make.user("supplier", name="Sam Supplier")
    customers = make.category("customers", slug="lounge")
    visible = make.idea(category=public, title="Visible public idea")
    made = {
        "confidential": make.idea(author=supplier, category=public, confidential=True,
                                  title="Confidential secret supplier idea"),
        "customers-only": make.idea(category=customers, title="Customers secret lounge idea"),
        "hidden": make.idea(category=public, title="Hidden secret idea"),
        "merged": make.idea(category=public, title="Merged secret duplicate"),
        "removed": make.idea(category=public, title="Removed secret idea"),
    }  # fmt: skip
    for idea in made.values():
        ideas.change_status(staff, idea, "planned", "secret status note")
    moderation.act(mod, "hide", "idea", made["hidden"].id, "Off topic")
    moderation.act(mod, "merge", "idea", made["merged"].id, "Same thing", into_id=visible.id)
    moderation.act(mod, "delete", "idea", made["removed"].id, "Abusive")
    answer = discussion.add_comment(staff, visible, "A secret official answer", official=True)
    moderation.act(mod, "hide", "comment", answer.id, "Wrong thread")
    # Shipped items: one answers a customers-only idea (no visitor may see it); one answers
    # the visible idea and the hidden one (shown, without the hidden idea's title).
    ship(staff, [made["customers-only"].id], title="Secret lounge item shipped")
    ship(staff, [visible.id], title="Public item shipped")
    shared = db.session.get(ImprovementItem, visible.item_id)
    db.session.execute(update(Idea).where(Idea.id == made["hidden"].id).values(item_id=shared.id))
    db.session.commit()
    return visible, made


@pytest.mark.parametrize("who", ["anonymous", "admin", "staff", "supplier"])
def test_nothing_a_visitor_may_not_read_is_in_any_feed_whoever_asks(client, make, login,
                                                                    unseen, who):  # fmt: skip
    visible, made = unseen
    if who == "supplier":  # a member of the confidential idea's organization
        confidential = made["confidential"]
        login(make.user("supplier", org=confidential.organization))
    elif who != "anonymous":
        login(make.user("staff", role="admin" if who == "admin" else "member"))
    paths = ["/ideas.atom", "/ideas.atom?sort=new", "/ideas.atom?status=planned",
             "/ideas.atom?category=lounge", "/ideas.atom?category=forum&sort=top",
             "/changelog.atom", f"/ideas/{visible.id}.atom"]  # fmt: skip
    for path in paths:
        response = client.get(path)
        text = response.get_data(as_text=True)
        assert response.status_code == 200, path
        assert "secret" not in text.lower(), (who, path)
        for idea in made.values():
            assert f"/ideas/{idea.id}<" not in text and f'/ideas/{idea.id}"' not in text
    assert "Visible public idea" in client.get("/ideas.atom").get_data(as_text=True)
    changelog = read_feed(client, "/changelog.atom")
    assert titles(changelog) == ["Public item shipped"]
    assert "Visible public idea" in changelog.entries[0].content[0].value
    for name, idea in made.items():
        assert client.get(f"/ideas/{idea.id}.atom").status_code == 404, name


def test_an_idea_page_advertises_its_feed_only_when_the_feed_exists(client, make, login, unseen):
    visible, made = unseen
    login(make.user("staff", role="admin"))
    page = client.get(f"/ideas/{visible.id}").get_data(as_text=True)
    assert ALTERNATE.findall(page) == [f"/ideas/{visible.id}.atom"]
    assert f'href="/ideas/{visible.id}.atom" class="feed-link"' in page
    for name in ("confidential", "customers-only", "hidden", "removed"):
        page = client.get(f"/ideas/{made[name].id}").get_data(as_text=True)
        assert ALTERNATE.findall(page) == [], name
        assert ".atom" not in page, name


# -- hostile text ----------------------------------------------------------------------------


def test_xml_special_and_forbidden_characters_still_give_valid_xml(client, make, staff, public):
    idea = make.idea(category=public, title="Support <T> & \"quotes\" in lists",
                     body="Body with <script>alert(1)</script> & ]]> too")  # fmt: skip
    ideas.change_status(staff, idea, "planned", "Note with <b>tags</b> & ]]>")
    db.session.commit()
    # Text written before the input rules refused control characters (or by a direct import;
    # PostgreSQL stores no NUL at all).
    db.session.execute(
        update(Idea).where(Idea.id == idea.id).values(
            title="Vertical\x0btab\x01 & <T>", body_html="<p>Bell\x07 and \x1b escape &amp;</p>")
    )  # fmt: skip
    db.session.commit()
    for path in ("/ideas.atom", f"/ideas/{idea.id}.atom"):
        response = client.get(path)
        assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", response.get_data(as_text=True))
        feed = read_feed(client, path)
        assert any("Verticaltab & <T>" in title for title in titles(feed)), titles(feed)
    entry = read_feed(client, "/ideas.atom").entries[0]
    assert entry.title == "Verticaltab & <T>"
    assert entry.content[0].value == "<p>Bell and  escape &amp;</p>"
    note = read_feed(client, f"/ideas/{idea.id}.atom").entries[0]
    assert note.content[0].value == "<p>Note with &lt;b&gt;tags&lt;/b&gt; &amp; ]]&gt;</p>"


def test_every_character_xml_forbids_is_dropped_and_nothing_else():
    kept = "\t\n\r A&<é€\U0001f600\ud7ff\ue000\ufffd\x7f\x85"
    dropped = "\x00\x01\x08\x0b\x0c\x0e\x1f\ud800\udfff\ufffe\uffff"
    assert XML_FORBIDDEN.sub("", dropped[:5] + kept + dropped[5:]) == kept


def test_an_official_response_with_control_characters_still_parses(client, make, staff, public):
    idea = make.idea(category=public, title="Control characters")
    comment = discussion.add_comment(staff, idea, "Fine answer", official=True)
    db.session.commit()
    db.session.execute(
        update(Comment).where(Comment.id == comment.id).values(body_html="<p>a\x0bb\x0cc</p>")
    )
    db.session.commit()
    entry = read_feed(client, f"/ideas/{idea.id}.atom").entries[0]
    assert entry.content[0].value == "<p>abc</p>"


# -- linked from the pages -------------------------------------------------------------------


def test_pages_link_their_feeds_and_the_links_answer(client, make, staff, public):
    idea = make.idea(category=public, title="Linked from its page", kind="problem")
    ship(staff, [idea.id], title="Shipped and linked")
    pages = {
        "/ideas": "/ideas.atom",
        "/ideas?category=forum&status=done&kind=problem&sort=new":
            "/ideas.atom?category=forum&status=done&kind=problem&sort=new",
        "/ideas?sort=trending&category=forum": "/ideas.atom?category=forum",
        f"/ideas/{idea.id}": f"/ideas/{idea.id}.atom",
        "/changelog": "/changelog.atom",
    }  # fmt: skip
    for page, feed_path in pages.items():
        html = client.get(page).get_data(as_text=True)
        found = [link.replace("&amp;", "&") for link in ALTERNATE.findall(html)]
        assert found == [feed_path], page
        assert 'class="feed-link"' in html, page  # the visible "Feed" link
        feed = read_feed(client, feed_path)
        assert feed.entries, feed_path
    # The list fragment htmx swaps in keeps the feed link with the filters it applied.
    fragment = client.get("/ideas?category=forum&kind=problem", headers={"HX-Request": "true"})
    assert 'href="/ideas.atom?category=forum&amp;kind=problem" class="feed-link"' in (
        fragment.get_data(as_text=True)
    )


def test_each_feed_asks_the_database_a_fixed_number_of_times(client, make, staff, public,
                                                            count_queries):  # fmt: skip
    def queries(path) -> int:
        client.get(path)  # warm: the first request of a test starts the app's workers
        with count_queries() as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    idea = make.idea(category=public, title="Counted idea")
    ship(staff, [idea.id], title="Counted item")
    discussion.add_comment(staff, idea, "Counted answer", official=True)
    db.session.commit()
    before = {p: queries(p) for p in ("/ideas.atom", f"/ideas/{idea.id}.atom", "/changelog.atom")}
    for n in range(6):
        more = make.idea(category=public, title=f"More counted idea {n}",
                         author=make.user(name=f"Author {n}"))  # fmt: skip
        ship(staff, [more.id], title=f"More counted item {n}")
        ideas.change_status(staff, idea, "under_review" if n % 2 else "planned", f"Note {n}")
        discussion.add_comment(make.user("staff"), idea, f"Answer {n}", official=True)
    db.session.commit()
    after = {p: queries(p) for p in before}
    assert after == before
    assert max(after.values()) <= 4, after  # 2 or 3 here; the idea itself is one more
