"""Live (SPEC 14): the change cursor and /live, through the test client.

A page carries the cursor it was rendered at and what it watches; /live answers 204 with no
body (one indexed read, nothing written to the session) while nothing it watches changed,
and otherwise the page's own fragments as htmx out-of-band swaps, rendered for the viewer
under the page's own rules: nothing arrives live that the viewer may not see.
"""

import re
from html import unescape

import pytest
from sqlalchemy import event, func, select

from portal.extensions import db
from portal.ideas import discussion
from portal.ideas import service as ideas
from portal.live import service as live
from portal.live.models import LiveChange
from portal.moderation import service as moderation
from tests.conftest import PASSWORD

HX = {"HX-Request": "true"}


class Page:
    """An open page: what its #live element says (cursor, watch, page) and its HTML."""

    def __init__(self, client, path):
        response = client.get(path)
        assert response.status_code == 200, path
        self.client = client
        self.html = response.get_data(as_text=True)
        poller = re.search(r'<div id="live"[^>]*>', self.html)
        assert poller, f"{path} has no live poller"
        attributes = dict(re.findall(r'(data-live-[a-z-]+)="([^"]*)"', poller.group(0)))
        self.cursor = int(attributes["data-live-cursor"])
        self.watch = unescape(attributes["data-live-watch"])
        self.page = unescape(attributes.get("data-live-page", "/"))

    def poll(self, refresh=None):
        """One poll, as static/js/live.js sends it; the cursor moves on as the script's does."""
        query = {"cursor": self.cursor, "watch": self.watch, "page": self.page}
        if refresh:
            query["refresh"] = refresh
        response = self.client.get("/live", query_string=query, headers=HX)
        if "X-Live-Cursor" in response.headers:
            self.cursor = int(response.headers["X-Live-Cursor"])
        return response


def fresh(client, path) -> Page:
    return Page(client, path)


def body(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def signed_in(app, login):
    """A new test client signed in as `user` (each viewer its own cookies)."""

    def open_as(user):
        client = app.test_client()
        if user is not None:
            response = client.post("/login", data={"email": user.email, "password": PASSWORD})
            assert response.status_code == 302
        return client

    return open_as


def oob(html: str, element_id: str) -> str | None:
    """The out-of-band element with this id in a /live answer, whole."""
    start = re.search(rf'<(\w+) [^>]*\bid="{element_id}"[^>]*hx-swap-oob="true"', html)
    if start is None:
        return None
    depth, rest = 0, html[start.start() :]
    for tag in re.finditer(rf"<(/?){start.group(1)}\b[^>]*>", rest):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return rest[: tag.end()]
    return None


# --- the cursor ----------------------------------------------------------------------------


def test_a_change_and_its_cursor_row_commit_together(app, make):
    idea = make.idea()
    before = live.latest_cursor()
    ideas.set_vote(make.user(), idea, True)
    db.session.rollback()
    assert live.latest_cursor() == before, "a rolled-back vote leaves no change row"
    ideas.set_vote(make.user(), idea, True)
    db.session.commit()
    rows = db.session.execute(select(LiveChange.topic).where(LiveChange.id > before)).scalars()
    assert set(rows) == {f"idea:{idea.id}", "triage"}


def test_new_comments_are_named_once_in_the_order_written(app, make):
    idea = make.idea()
    author = make.user()
    before = live.latest_cursor()
    first = discussion.add_comment(author, idea, "First")
    second = discussion.add_comment(author, idea, "Second")
    db.session.commit()
    rows = db.session.execute(
        select(LiveChange.comment_id)
        .where(LiveChange.id > before, LiveChange.comment_id.is_not(None))
        .order_by(LiveChange.id)
    ).scalars()
    assert list(rows) == [first.id, second.id]


def test_pruning_forgets_old_changes_but_never_the_newest(app, make):
    from datetime import timedelta

    from portal.timeutil import utcnow

    idea = make.idea()
    ideas.set_vote(make.user(), idea, True)
    db.session.commit()
    newest = live.latest_cursor()
    assert live.prune(now=utcnow() + timedelta(days=2)) > 0
    assert live.latest_cursor() == newest
    assert db.session.scalar(select(func.count(LiveChange.id))) == 1


# --- the unchanged answer ------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "customer"])
def test_unchanged_is_204_without_body_or_session_write(app, make, signed_in, who):
    idea = make.idea()
    client = signed_in(make.user() if who == "customer" else None)
    page = fresh(client, f"/ideas/{idea.id}")
    assert page.watch.split()[0] == f"idea:{idea.id}"
    assert ("notifications" in page.watch) == (who == "customer")
    ideas.set_vote(make.user(), make.idea(), True)  # elsewhere: not watched by this page
    db.session.commit()
    response = page.poll()
    assert response.status_code == 204
    assert response.get_data() == b""
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    # The cursor moved on to the newest change, so the next question starts there.
    assert page.cursor == live.latest_cursor()
    assert page.poll().status_code == 204


@pytest.mark.parametrize("who", ["anonymous", "customer"])
def test_unchanged_costs_one_query(app, make, signed_in, count_queries, who):
    idea = make.idea()
    client = signed_in(make.user() if who == "customer" else None)
    page = fresh(client, f"/ideas/{idea.id}")
    page.poll()  # warm
    # The unchanged answer is given before Flask, on the shortcut's own engine.
    shortcut = app.wsgi_app
    checks: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        checks.append(statement)

    event.listen(shortcut.engine, "before_cursor_execute", record)
    try:
        # Something changed elsewhere: the page is behind the newest cursor, one read.
        ideas.set_vote(make.user(), make.idea(), True)
        db.session.commit()
        with count_queries() as queries:
            response = page.poll()
        assert response.status_code == 204
        assert queries == [], "nothing on the app's own engine: no session, no account loaded"
        assert len(checks) == 1, checks
        assert "live_change" in checks[0]
        # Already at the newest cursor this worker just read: not even that.
        checks.clear()
        with count_queries() as queries:
            assert page.poll().status_code == 204
        assert queries == [] and checks == []
    finally:
        event.remove(shortcut.engine, "before_cursor_execute", record)


# --- pages behind a change elsewhere: answered from the last read (issue 17) ----------------


@pytest.fixture
def reads(app, monkeypatch):
    """The statements the shortcut runs on its own engine (its first question sets it up),
    with the recent changes it read kept fresh for the whole test unless it says otherwise."""
    from portal.live import shortcut as module

    monkeypatch.setattr(module, "LATEST_SECONDS", 600.0)
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    app.test_client().get("/live", query_string={"watch": "triage"})  # sets the engine up
    engine = app.wsgi_app.engine
    event.listen(engine, "before_cursor_execute", record)
    yield statements
    event.remove(engine, "before_cursor_execute", record)


def written_elsewhere(monkeypatch):
    """What this process commits from now on counts as written by another process: its
    shortcut is not told (changes.written_at() stays where it is)."""
    from portal.live import changes

    monkeypatch.setattr(changes, "written_at", lambda at=changes.written_at(): at)


@pytest.mark.parametrize("who", ["anonymous", "customer"])
def test_pages_behind_a_change_elsewhere_need_no_read(app, make, signed_in, reads, who):
    first, second = make.idea(), make.idea()
    pages = [fresh(signed_in(make.user() if who == "customer" else None), f"/ideas/{i.id}")
             for i in (first, second)]  # fmt: skip
    ideas.set_vote(make.user(), make.idea(), True)  # elsewhere: watched by neither page
    ideas.set_vote(make.user(), make.idea(), True)
    db.session.commit()
    reads.clear()
    assert pages[0].poll().status_code == 204
    assert len(reads) == 1, "written by this process: read again, with the recent changes"
    reads.clear()
    response = pages[1].poll()  # one change (or two) behind, at the cursor the first had
    assert response.status_code == 204 and response.get_data() == b""
    assert reads == [], "answered from what the first question read"
    assert pages[1].cursor == pages[0].cursor == live.latest_cursor()
    assert set(response.headers.keys()) >= {"X-Live-Cursor", "Cache-Control"}
    assert "Set-Cookie" not in response.headers


def test_a_watched_change_from_another_process_arrives_once_the_picture_is_old(
    app, make, signed_in, reads, monkeypatch
):
    from portal.live import shortcut as module

    idea = make.idea()
    page = fresh(signed_in(make.user()), f"/ideas/{idea.id}")
    assert page.poll().status_code == 204  # the picture: read now
    written_elsewhere(monkeypatch)
    ideas.set_vote(make.user(), idea, True)
    db.session.commit()
    # Within the quarter second this worker answers from its last read: the promise any
    # poll makes (the change reaches the page at its next question after that).
    assert page.poll().status_code == 204
    monkeypatch.setattr(module, "LATEST_SECONDS", 0.0)
    response = page.poll()
    assert response.status_code == 200
    assert '<span class="vote-count">2</span>' in oob(body(response), f"vote-{idea.id}")
    assert page.cursor == live.latest_cursor()


def test_a_watched_change_written_by_this_process_arrives_at_once(app, make, signed_in, reads):
    idea = make.idea()
    page = fresh(signed_in(make.user()), f"/ideas/{idea.id}")
    assert page.poll().status_code == 204  # the picture: read now, fresh for the test
    ideas.set_vote(make.user(), idea, True)
    db.session.commit()
    response = page.poll()
    assert response.status_code == 200
    assert '<span class="vote-count">2</span>' in oob(body(response), f"vote-{idea.id}")
    # A change to someone else's notifications is in the picture too; it tells nothing.
    other = make.user()
    ideas.set_vote(other, make.idea(), True)
    discussion.add_comment(make.user(), make.idea(author=other), "For the author only")
    db.session.commit()
    assert page.poll().status_code == 204
    reads.clear()
    behind = fresh(signed_in(make.user()), f"/ideas/{idea.id}")
    behind.cursor = page.cursor - 1
    assert behind.poll().status_code == 204 and reads == []


def test_expired_cursors_still_go_to_the_view(app, make, signed_in, reads):
    from datetime import timedelta

    from portal.timeutil import utcnow

    idea = make.idea()
    pages = [fresh(signed_in(make.user()), f"/ideas/{idea.id}") for _ in range(2)]
    for _ in range(2):
        ideas.set_vote(make.user(), make.idea(), True)
        db.session.commit()
    live.prune(now=utcnow() + timedelta(days=2))  # only the newest change is kept
    for page in pages:  # the first reads, the second is answered from that read
        reads.clear()
        html = body(page.poll())
        assert f'id="vote-{idea.id}" hx-swap-oob="true"' in html, "everything again"
    assert reads == []
    # A cursor from another database (beyond the newest): the view, never a 204.
    stranger = fresh(signed_in(make.user()), f"/ideas/{idea.id}")
    stranger.cursor = live.latest_cursor() + 1000
    assert f'id="vote-{idea.id}" hx-swap-oob="true"' in body(stranger.poll())


def test_pages_behind_more_than_the_picture_spans_are_read_for(
    app, make, signed_in, reads, monkeypatch
):
    from portal.live import shortcut as module

    monkeypatch.setattr(module, "RECENT_CHANGES", 2)
    idea = make.idea()
    first, far, near = (fresh(signed_in(make.user()), f"/ideas/{idea.id}") for _ in range(3))
    for _ in range(3):  # six change rows: more than the picture may span
        ideas.set_vote(make.user(), make.idea(), True)
        db.session.commit()
    newest = live.latest_cursor()
    first.cursor = far.cursor = newest - 5
    near.cursor = newest - 2
    reads.clear()
    assert first.poll().status_code == 204 and len(reads) == 1
    assert "GROUP BY" in reads[0], "read with the recent changes, the last two of them"
    reads.clear()
    assert far.poll().status_code == 204
    assert len(reads) == 1 and "GROUP BY" not in reads[0], "its own read, no new picture"
    reads.clear()
    assert near.poll().status_code == 204 and reads == []
    assert first.cursor == far.cursor == near.cursor == newest


def test_garbage_is_harmless(app, client):
    for query in (
        {"cursor": "x", "watch": "idea:abc notifications"},
        {"cursor": "99999999999999999999", "watch": "idea:99999999999"},
        {"watch": "<script>"},
        {},
    ):
        response = client.get("/live", query_string=query, headers=HX)
        assert response.status_code == 204, query


def test_anonymous_pages_without_live_pieces_carry_no_poller(app, client, make):
    make.idea()
    assert 'id="live"' not in body(client.get("/ideas"))
    assert 'id="live"' in body(client.get(f"/ideas/{make.idea().id}"))


# --- an idea page --------------------------------------------------------------------------


def test_a_vote_elsewhere_arrives_then_nothing(app, make, signed_in):
    idea = make.idea()
    viewer = make.user()
    page = fresh(signed_in(viewer), f"/ideas/{idea.id}")
    ideas.set_vote(make.user(), idea, True)
    db.session.commit()
    response = page.poll()
    assert response.status_code == 200
    html = body(response)
    vote = oob(html, f"vote-{idea.id}")
    assert vote and '<span class="vote-count">2</span>' in vote
    assert 'aria-pressed="false"' in vote, "rendered for the viewer, who did not vote"
    assert page.poll().status_code == 204, "each change arrives once"


def test_a_status_change_arrives_with_its_note(app, make, signed_in):
    idea = make.idea()
    staff = make.user(kind="staff")
    page = fresh(signed_in(make.user()), f"/ideas/{idea.id}")
    ideas.change_status(staff, idea, "planned", "Coming in the spring release.")
    db.session.commit()
    html = body(page.poll())
    assert f'id="idea-meta-{idea.id}" hx-swap-oob="true"' in html
    assert 'class="badge status-planned"' in html
    note = oob(html, f"status-note-{idea.id}")
    assert note and "Coming in the spring release." in note
    assert staff.display_name in note


def test_new_comments_arrive_in_place_in_order_once(app, make, signed_in):
    idea = make.idea()
    alice, bob = make.user(name="Alice"), make.user(name="Bob")
    first = discussion.add_comment(alice, idea, "Before the page opened")
    db.session.commit()
    page = fresh(signed_in(make.user()), f"/ideas/{idea.id}")
    assert f'id="replies-{first.id}"' in page.html
    second = discussion.add_comment(bob, idea, "A new *thread*")
    reply = discussion.add_comment(alice, idea, "A reply to the first", parent_id=first.id)
    third = discussion.add_comment(alice, idea, "Another thread")
    db.session.commit()
    html = body(page.poll())
    appends = re.findall(
        r'<div hx-swap-oob="beforeend:#([a-z]+-\d+)">\s*'
        r'(?:<div class="thread" id="thread-(\d+)"|<article class="comment" id="comment-(\d+)")',
        html,
    )
    assert appends == [
        (f"threads-{idea.id}", str(second.id), ""),
        (f"replies-{first.id}", "", str(reply.id)),
        (f"threads-{idea.id}", str(third.id), ""),
    ]
    assert "<em>thread</em>" in html, "rendered as on load (Markdown)"
    assert "Before the page opened" not in html, "what the page shows is not sent again"
    assert f'id="comment-count-{idea.id}" hx-swap-oob="true">(4)' in html
    assert page.poll().status_code == 204


def test_an_official_answer_is_pinned_too(app, make, signed_in):
    idea = make.idea()
    staff = make.user(kind="staff")
    page = fresh(signed_in(make.user()), f"/ideas/{idea.id}")
    answer = discussion.add_comment(staff, idea, "We are on it.", official=True)
    db.session.commit()
    html = body(page.poll())
    assert f'hx-swap-oob="beforeend:#pinned-{idea.id}"' in html
    assert f'id="official-{answer.id}"' in html and f'id="thread-{answer.id}"' in html


def test_a_page_that_slept_past_the_kept_changes_gets_everything_again(app, make, signed_in):
    from datetime import timedelta

    from portal.timeutil import utcnow

    idea = make.idea()
    page = fresh(signed_in(make.user()), f"/ideas/{idea.id}")
    ideas.set_vote(make.user(), make.idea(), True)
    db.session.commit()
    discussion.add_comment(make.user(), idea, "Said while the page slept")
    db.session.commit()
    ideas.set_vote(make.user(), make.idea(), True)
    db.session.commit()
    live.prune(now=utcnow() + timedelta(days=2))
    html = body(page.poll())
    assert f'id="vote-{idea.id}" hx-swap-oob="true"' in html
    assert "Said while the page slept" in html


# --- nothing the viewer may not see ---------------------------------------------------------

VIEWERS = ["anonymous", "customer", "other_supplier", "staff", "moderator"]


@pytest.fixture
def viewers(make):
    """One of each kind of viewer (None: anonymous); the moderator is a customer's
    community moderator (sees hidden content of what customers see, nothing more)."""
    return {
        "anonymous": None,
        "customer": make.user(),
        "other_supplier": make.user(kind="supplier"),
        "staff": make.user(kind="staff"),
        "moderator": make.user(role="moderator"),
    }


@pytest.mark.parametrize("who", VIEWERS)
def test_a_comment_on_an_idea_hidden_meanwhile_never_arrives(app, make, signed_in, viewers, who):
    idea = make.idea()
    page = fresh(signed_in(viewers[who]), f"/ideas/{idea.id}")
    discussion.add_comment(make.user(), idea, "Marker-hidden-meanwhile")
    db.session.commit()
    mod = make.user(kind="staff", role="moderator")
    moderation.act(mod, "hide", "idea", idea.id, "Off topic for everyone")
    db.session.commit()
    response = page.poll()
    # Only moderators read a hidden idea (and its discussion); everyone else, not a word.
    readers = {"staff": False, "moderator": True}
    if readers.get(who, False):
        assert "Marker-hidden-meanwhile" in body(response)
    else:
        assert response.status_code == 204
        assert "Marker-hidden-meanwhile" not in body(response)


@pytest.mark.parametrize("who", VIEWERS)
def test_a_comment_on_an_idea_moved_out_of_sight_never_arrives(app, make, signed_in, viewers, who):
    public = make.category("public")
    suppliers_only = make.category("suppliers")
    staff = make.user(kind="staff")
    # A supplier's idea: staff may move it where its author still sees it.
    idea = make.idea(author=make.user(kind="supplier"), category=public)
    page = fresh(signed_in(viewers[who]), f"/ideas/{idea.id}")
    discussion.add_comment(make.user(), idea, "Marker-moved-away")
    ideas.move(staff, idea, category=suppliers_only.slug)
    db.session.commit()
    response = page.poll()
    # Suppliers-only: approved suppliers (of any organization) and staff read it now.
    if who in ("staff", "other_supplier"):
        assert "Marker-moved-away" in body(response)
    else:
        assert response.status_code == 204
        assert "Marker-moved-away" not in body(response)


@pytest.mark.parametrize("who", VIEWERS)
def test_a_watch_forged_for_a_confidential_idea_gets_nothing(app, make, signed_in, viewers, who):
    acme = make.org("Acme")
    author = make.user(kind="supplier", org=acme)
    idea = make.idea(author=author, category=make.category("suppliers"), confidential=True)
    client = signed_in(viewers[who])
    cursor = live.latest_cursor()
    discussion.add_comment(author, idea, "Marker-confidential")
    ideas.set_vote(make.user(kind="supplier", org=acme), idea, True)
    db.session.commit()
    query = {"cursor": cursor, "watch": f"idea:{idea.id}", "page": f"/ideas/{idea.id}"}
    response = client.get("/live", query_string=query, headers=HX)
    if who == "staff":
        assert "Marker-confidential" in body(response)
    else:
        assert response.status_code == 204
        assert body(response) == ""


@pytest.mark.parametrize("who", VIEWERS)
def test_a_hidden_comment_arrives_as_the_page_shows_it(app, make, signed_in, viewers, who):
    idea = make.idea()
    page = fresh(signed_in(viewers[who]), f"/ideas/{idea.id}")
    comment = discussion.add_comment(make.user(), idea, "Marker-held-comment")
    db.session.commit()
    moderation.act(make.user(kind="staff", role="moderator"), "hide", "comment", comment.id,
                   "Abusive")  # fmt: skip
    db.session.commit()
    html = body(page.poll())
    assert f'id="comment-{comment.id}"' in html, "its place in the thread, as on load"
    assert ("Marker-held-comment" in html) == (who == "moderator")
    reloaded = fresh(page.client, f"/ideas/{idea.id}").html
    assert ("Marker-held-comment" in reloaded) == (who == "moderator"), "the page says the same"


# --- the header's badges and the staff lists ------------------------------------------------


def watching(page: Page, *pieces: str) -> Page:
    """The page with more pieces watched than it names itself (a forged request)."""
    page.watch = " ".join([page.watch, *pieces])
    return page


@pytest.mark.parametrize("who", VIEWERS)
def test_the_notification_badge_counts_only_what_its_viewer_may_read(app, make, signed_in,
                                                                    viewers, who):  # fmt: skip
    public, suppliers_only = make.category("public"), make.category("suppliers")
    staff = make.user(kind="staff")
    # A supplier's idea: staff may move it where its author still sees it.
    idea = make.idea(author=make.user(kind="supplier"), category=public)
    other = make.idea(category=public)
    viewer = viewers[who]
    if viewer is not None:
        ideas.set_following(viewer, idea, True)
        db.session.commit()
    page = watching(fresh(signed_in(viewer), f"/ideas/{other.id}"), "notifications")
    ideas.change_status(staff, idea, "planned", "Marker-status-note")  # tells the followers
    db.session.commit()
    ideas.move(staff, idea, category=suppliers_only.slug)  # customers may no longer read it
    db.session.commit()
    response = page.poll()
    if who == "anonymous":
        assert response.status_code == 204
        return
    badge = oob(body(response), "notifications-badge")
    assert badge is not None
    count = re.search(r"count-badge[^>]*>(\d+)<", badge)
    # The notification is about an idea only suppliers and staff may read now.
    expected = 1 if who in ("staff", "other_supplier") else None
    assert (int(count.group(1)) if count else None) == expected
    assert "Marker-status-note" not in body(response)
    assert page.poll().status_code == 204


def test_someone_elses_notifications_never_reach_a_page(app, make, signed_in):
    idea = make.idea()
    reader, other = make.user(), make.user()
    ideas.set_following(other, idea, True)
    db.session.commit()
    page = fresh(signed_in(reader), f"/ideas/{make.idea().id}")
    ideas.change_status(make.user(kind="staff"), idea, "planned", "For the follower only")
    db.session.commit()
    assert page.poll().status_code == 204


@pytest.mark.parametrize("who", VIEWERS)
def test_the_review_queue_shows_a_moderator_what_they_may_see(app, make, signed_in, viewers,
                                                             who):  # fmt: skip
    public = make.idea(category=make.category("public"), title="Marker-public-flagged")
    hidden_from_customers = make.idea(
        author=make.user(kind="supplier"),
        category=make.category("suppliers"),
                                      title="Marker-supplier-flagged")  # fmt: skip
    viewer = viewers[who]
    path = "/moderation" if who == "moderator" else f"/ideas/{make.idea().id}"
    page = watching(fresh(signed_in(viewer), path), "moderation", "moderation-queue")
    moderation.flag(make.user(), "idea", public.id, "spam")
    moderation.flag(make.user(kind="supplier"), "idea", hidden_from_customers.id, "spam")
    db.session.commit()
    response = page.poll()
    if who != "moderator":
        assert response.status_code == 204, "the queue is for moderators only"
        return
    html = body(response)
    queue = oob(html, "moderation-queue")
    assert queue and "Marker-public-flagged" in queue
    # A community moderator moderates what customers see, never a suppliers-only idea.
    assert "Marker-supplier-flagged" not in html
    badge = oob(html, "moderation-badge")
    assert badge and re.search(r"count-badge[^>]*>1<", badge)
    assert page.poll().status_code == 204


def test_a_staff_moderator_sees_every_flag(app, make, signed_in):
    hidden_from_customers = make.idea(
        author=make.user(kind="supplier"),
        category=make.category("suppliers"),
                                      title="Marker-supplier-flagged")  # fmt: skip
    page = fresh(signed_in(make.user(kind="staff", role="moderator")), "/moderation")
    assert page.watch.split() == ["moderation-queue", "notifications", "moderation", "intake"]
    moderation.flag(make.user(kind="supplier"), "idea", hidden_from_customers.id, "spam")
    db.session.commit()
    html = body(page.poll())
    assert "Marker-supplier-flagged" in oob(html, "moderation-queue")
    assert re.search(r"count-badge[^>]*>1<", oob(html, "moderation-badge"))


def test_a_list_piece_keeps_the_page_it_is_on(app, make, signed_in):
    moderator = make.user(kind="staff", role="moderator")
    for n in range(3):
        moderation.flag(make.user(), "idea", make.idea(title=f"Flagged {n}").id, "spam")
    db.session.commit()
    page = fresh(signed_in(moderator), "/moderation?page=2&per_page=2")
    moderation.flag(make.user(), "idea", make.idea(title="Flagged 3").id, "spam")
    db.session.commit()
    queue = oob(body(page.poll()), "moderation-queue")
    assert "Page 2 of 2" in queue and "Flagged 3" not in queue


@pytest.mark.parametrize("who", VIEWERS)
def test_triage_follows_new_ideas_for_staff_only(app, make, signed_in, viewers, who):
    viewer = viewers[who]
    path = "/staff/triage" if who == "staff" else f"/ideas/{make.idea().id}"
    page = watching(fresh(signed_in(viewer), path), "triage")
    acme = make.org("Acme")
    make.idea(author=make.user(kind="supplier", org=acme), category=make.category("suppliers"),
              title="Marker-confidential-triage", confidential=True)  # fmt: skip
    response = page.poll()
    if who != "staff":
        assert response.status_code == 204
        assert "Marker-confidential-triage" not in body(response)
        return
    triage = oob(body(response), "triage")
    assert triage and "Marker-confidential-triage" in triage


@pytest.mark.parametrize("who", VIEWERS)
def test_the_inbox_and_its_badge_follow_new_messages_for_staff_only(app, make, signed_in,
                                                                   viewers, who):  # fmt: skip
    from portal.intake import service as intake

    viewer = viewers[who]
    path = "/staff/inbox" if who == "staff" else f"/ideas/{make.idea().id}"
    page = watching(fresh(signed_in(viewer), path), "intake", "inbox")
    intake.receive(source="api", sender_email="jane@example.com", subject="Marker-intake",
                   body="The VAT is wrong.")  # fmt: skip
    db.session.commit()
    response = page.poll()
    if who != "staff":
        assert response.status_code == 204
        return
    html = body(response)
    assert "Marker-intake" in oob(html, "inbox-list")
    assert re.search(r"count-badge[^>]*>1<", oob(html, "intake-badge"))
    assert page.poll().status_code == 204


def test_a_list_someone_was_typing_in_is_sent_again_when_asked(app, make, signed_in):
    moderator = make.user(kind="staff", role="moderator")
    page = fresh(signed_in(moderator), "/moderation")
    assert page.poll().status_code == 204
    response = page.poll(refresh="moderation-queue")
    assert oob(body(response), "moderation-queue") is not None
    # Only what the page watches is sent again.
    assert page.poll(refresh="triage").status_code == 204
