"""Pages issue a fixed number of SQL queries, whatever their size."""

import re

import pytest
from sqlalchemy import select

from portal.ideas import discussion


def _queries_for(client, count_queries, url) -> int:
    client.get(url)  # warm: the first request may load things once per process
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _first_and_again(client, count_queries, url) -> tuple[int, int]:
    """Statements of a list page rendered, and of the same page asked again with nothing
    changed (the list found as it was rendered at that change cursor)."""
    with count_queries() as first:
        assert client.get(url).status_code == 200
    with count_queries() as again:
        assert client.get(url).status_code == 200
    return len(first), len(again)


@pytest.mark.parametrize("signed_in", [False, True])
def test_idea_list_query_count_does_not_grow_with_page_size(
    client, make, login, count_queries, signed_in
):
    category = make.category()
    viewer = make.user()
    for _ in range(30):
        make.idea(category=category)
    if signed_in:
        login(viewer)
    client.get("/ideas?sort=new")  # warm: the first request may load things once per process
    small = _first_and_again(client, count_queries, "/ideas?per_page=3")
    large = _first_and_again(client, count_queries, "/ideas?per_page=30")
    assert small == large
    # Rendered, signed in: the change cursor, the page (with its count in the same
    # statement), the reader's votes on it, the categories and the unread count (the account
    # stays in the tests' session); a visitor: the cursor, the page and the categories.
    # Again: neither the page's statement nor the categories, and the unread count rides
    # with the reader's votes.
    assert large == ((5, 2) if signed_in else (3, 1))


def test_home_and_api_list_query_counts_are_fixed(client, make, count_queries, token_for):
    category = make.category()
    reader = make.user()
    headers = token_for(reader)
    for _ in range(12):
        make.idea(category=category)
    assert _queries_for(client, count_queries, "/") <= 8

    def api(per_page):
        with count_queries() as queries:
            response = client.get(f"/api/v1/ideas?per_page={per_page}", headers=headers)
        assert response.status_code == 200
        assert len(response.get_json()["items"]) == per_page
        return len(queries)

    api(2)
    assert api(2) == api(12)


def test_idea_page_query_count_does_not_grow_with_comments(client, make, login, count_queries):
    few = make.idea()
    many = make.idea()
    commenters = [make.user() for _ in range(6)]
    discussion.add_comment(commenters[0], few, "First!")
    for user in commenters:
        top = discussion.add_comment(user, many, f"I agree, says {user.display_name}")
        discussion.add_comment(commenters[0], many, "A reply", parent_id=top.id)
    from portal.extensions import db

    db.session.commit()
    login(make.user(kind="staff"))
    assert _queries_for(client, count_queries, f"/ideas/{few.id}") == _queries_for(
        client, count_queries, f"/ideas/{many.id}"
    )


def test_an_idea_page_reads_merged_ideas_and_history_only_when_it_has_them(
    client, make, login, count_queries
):
    """Whether an idea has merged ideas and a status history is asked with the reader's vote
    and follow: most ideas have neither, and each took a statement on every page."""
    from portal.extensions import db
    from portal.ideas import service
    from portal.moderation import service as moderation

    staff = make.user(kind="staff")
    moderator = make.user(kind="staff", role="moderator")
    warm, plain, original, duplicate = (make.idea(title=f"Lamp {n}") for n in range(4))
    service.change_status(staff, original, "planned", "Soon.")
    moderation.act(moderator, "merge", "idea", duplicate.id, "Same lamp", into_id=original.id)
    db.session.commit()
    login(make.user())
    client.get(f"/ideas/{warm.id}")  # warm: the first request may load things once per process

    def first_view(idea) -> tuple[list[str], str]:
        with count_queries() as queries:
            response = client.get(f"/ideas/{idea.id}")
        assert response.status_code == 200
        return [" ".join(q.split()) for q in queries], response.get_data(as_text=True)

    def reads(queries, table) -> bool:
        return any(q.startswith(f"SELECT {table}.id") for q in queries)

    queries, _ = first_view(plain)
    merged_ideas = [q for q in queries if "WHERE idea.merged_into_id =" in q]
    assert not reads(queries, "status_change") and not any(
        q.startswith("SELECT idea.id") for q in merged_ideas
    )
    queries, page = first_view(original)
    assert reads(queries, "status_change") and "Merged into this idea" in page
    assert duplicate.title in page and "Soon." in page


def test_the_header_counts_unread_notifications_in_the_pages_own_statement(
    client, make, login, count_queries
):
    """A found-again list or idea page and an idea page's first view carry the header's
    unread count in the statement that reads the reader's votes: its own statement is gone,
    and the badge still counts exactly what the reader may see, each reader their own."""
    from portal.extensions import db
    from portal.ideas import service
    from portal.notify.models import Notification

    reader, other = make.user(), make.user()
    ideas_shown = [make.idea(title=f"Bulb {n}") for n in range(3)]
    service.set_vote(reader, ideas_shown[0], True)
    for idea in ideas_shown[:2]:
        db.session.add(Notification(user_id=reader.id, idea_id=idea.id, event="comment",
                                    title=idea.title, message="Someone commented"))  # fmt: skip
    hidden = make.idea(title="Bulb hidden")
    hidden.hidden = True
    db.session.add(Notification(user_id=reader.id, idea_id=hidden.id, event="comment",
                                title=hidden.title, message="Not theirs to read"))  # fmt: skip
    db.session.commit()

    def badge(url) -> tuple[str, bool]:
        """The badge's number, and whether a statement of its own counted it."""
        with count_queries() as queries:
            page = client.get(url).get_data(as_text=True)
        found = re.search(
            r'id="notifications-badge"> <span class="badge count-badge"[^>]*>(\d+)<', page
        )
        alone = any(
            " ".join(q.split()).startswith("SELECT count(notification.id)") for q in queries
        )
        return (found.group(1) if found else "none"), alone

    idea_page = f"/ideas/{ideas_shown[1].id}"
    login(reader)
    # The list's first view counts on its own (its votes are read with the page's ideas).
    assert badge("/ideas") == ("2", True)
    assert badge("/ideas") == ("2", False)  # found again
    assert badge(idea_page) == ("2", False)  # rendered
    assert badge(idea_page) == ("2", False)  # found again
    login(other)  # the same class of reader: both pages are found again, with their count
    assert badge("/ideas") == ("none", False)
    assert badge(idea_page) == ("none", False)


def _posted(client, count_queries, url, data=None) -> tuple[int, str]:
    """Statements of one htmx POST (the search indexer's, after the commit, not counted: the
    tests below keep it asleep). The test's session is the request's: emptied first, so the
    request loads what a real one loads."""
    from portal.extensions import db

    db.session.expunge_all()
    with count_queries() as queries:
        response = client.post(url, data=data or {}, headers={"HX-Request": "true"})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    # One line per statement in a failure's message.
    return len(queries), "\n".join(" ".join(q.split())[:100] for q in queries)


# A vote toggle and a comment post are the writes people make most: each statement is a
# round trip inside the write lock (SQLite has one writer). What they are, in order, on
# SQLite: the signed-in person, the idea, the vote (INSERT … ON CONFLICT DO NOTHING, which
# says whether one was there: no statement asks first), the counters and `hot` (one guarded
# UPDATE), the search task (Whoosh), the follow (INSERT … ON CONFLICT DO NOTHING), the live
# change; no header badge is counted for the button htmx swaps in. Withdrawing finds the vote
# there, deletes it and follows nothing. PostgreSQL writes the vote, the counters and the
# follow in one statement (a withdrawal: the cast that found the vote, then the delete with
# the counters), and the live change with its advisory lock in one.
VOTE_ON = {"sqlite": 7, "postgresql": 5}
VOTE_OFF = {"sqlite": 7, "postgresql": 6}
# The person, the idea, the comment and its search task (Whoosh), the counters (the idea's
# document does not show them: no task for it), the follow, the webhooks to tell, the live
# change; the answer, the comment alone (after the commit), reads nothing more. PostgreSQL
# writes the counters and the follow in one statement.
COMMENT = {"sqlite": 8, "postgresql": 7}


def _on(database_url) -> str:
    return "postgresql" if database_url.startswith("postgresql") else "sqlite"


@pytest.fixture
def indexer_asleep(app, monkeypatch):
    """Queued search work stays queued: its drain would be counted with the request's."""
    monkeypatch.setitem(app.extensions, "search_indexer", None)


def test_a_vote_toggle_takes_a_fixed_few_statements(client, make, login, count_queries,
                                                    database_url, indexer_asleep):  # fmt: skip
    voter = make.user()
    warm, idea = make.idea(), make.idea()
    login(voter)
    client.post(f"/ideas/{warm.id}/vote", headers={"HX-Request": "true"})  # warm the process
    idea_id = idea.id
    before = _votes(idea_id)  # the author's own vote
    on, statements = _posted(client, count_queries, f"/ideas/{idea_id}/vote")
    assert on == VOTE_ON[_on(database_url)], statements
    assert _votes(idea_id) == before + 1
    off, statements = _posted(client, count_queries, f"/ideas/{idea_id}/vote")
    assert off == VOTE_OFF[_on(database_url)], statements
    assert _votes(idea_id) == before


def _votes(idea_id) -> int:
    from portal.extensions import db
    from portal.ideas.models import Idea

    return db.session.scalar(select(Idea.votes_count).where(Idea.id == idea_id))


def test_a_comment_post_takes_a_fixed_few_statements_whatever_the_discussion(
    client, make, login, count_queries, database_url, indexer_asleep
):
    writer = make.user()
    quiet, busy = make.idea(), make.idea()
    others = [make.user() for _ in range(4)]
    for user in others:
        top = discussion.add_comment(user, busy, f"Yes, says {user.display_name}")
        discussion.add_comment(others[0], busy, "A reply", parent_id=top.id)
    from portal.extensions import db

    db.session.commit()
    login(writer)
    url, crowded_url = f"/ideas/{quiet.id}/comments", f"/ideas/{busy.id}/comments"
    client.post(url, data={"body": "Warm"}, headers={"HX-Request": "true"})
    first, statements = _posted(client, count_queries, url, {"body": "Hi"})
    assert first == COMMENT[_on(database_url)], statements
    crowded, statements = _posted(client, count_queries, crowded_url, {"body": "Me too"})
    # Following the idea for the first time changes nothing: the INSERT is there either way.
    assert crowded == first, statements
