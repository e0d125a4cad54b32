"""Pages issue a fixed number of SQL queries, whatever their size."""

import pytest

from portal.ideas import discussion


def _queries_for(client, count_queries, url) -> int:
    client.get(url)  # warm: the first request may load things once per process
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


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
    small = _queries_for(client, count_queries, "/ideas?per_page=3")
    large = _queries_for(client, count_queries, "/ideas?per_page=30")
    assert small == large
    # Signed in: the account, the page (with its count and the reader's votes in the same
    # statement), the categories and the unread count; a visitor: the page and categories.
    assert large == (4 if signed_in else 2)


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
