"""People's pages, "My portal" and @mention suggestions: each shows only what the viewer may
see, and never tells who has an account."""

import pytest

from portal.extensions import db
from portal.ideas import discussion
from portal.ideas import service as ideas
from portal.ideas.models import Comment
from portal.moderation import service as moderation
from portal.privacy import erasure


@pytest.fixture
def world(app, make):
    org, other_org = make.org("Acme"), make.org("Borealis")
    w = type("World", (), {})()
    w.customer = make.user(name="Cora Customer")
    w.supplier = make.user(kind="supplier", org=org, name="Sam Supplier")
    w.rival = make.user(kind="supplier", org=other_org, name="Rita Rival")
    w.staff = make.user(kind="staff", name="Stan Staff")
    w.lurker = make.user(name="Lou Lurker")  # has written nothing
    w.public = make.category()
    w.suppliers = make.category(audience="suppliers")
    w.open_idea = make.idea(author=w.customer, category=w.public, title="A public wish")
    w.secret = make.idea(author=w.supplier, category=w.suppliers, title="Acme's secret",
                         confidential=True)  # fmt: skip
    return w


def test_a_person_page_shows_what_the_viewer_may_see(world, client, login):
    page = client.get(f"/people/{world.customer.handle}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Cora Customer" in html and "A public wish" in html
    # A supplier who wrote only a confidential idea has no page for others...
    assert client.get(f"/people/{world.supplier.handle}").status_code == 404
    login(world.rival)
    assert client.get(f"/people/{world.supplier.handle}").status_code == 404
    # ...but for a colleague, staff and themselves, with the confidential idea.
    login(world.supplier)
    html = client.get(f"/people/{world.supplier.handle}").get_data(as_text=True)
    assert "Acme&#39;s secret" in html and "Supplier at" in html


def test_a_handle_alone_tells_nothing(world, client):
    missing = client.get("/people/nobody-here")
    lurker = client.get(f"/people/{world.lurker.handle}")
    assert missing.status_code == lurker.status_code == 404
    assert client.get("/people/" + "x" * 300).status_code == 404


def test_an_erased_persons_page_is_gone(world, client):
    handle = world.customer.handle
    erasure.erase(None, world.customer)
    db.session.commit()
    assert client.get(f"/people/{handle}").status_code == 404
    idea_page = client.get(f"/ideas/{world.open_idea.id}").get_data(as_text=True)
    assert "Former member" in idea_page and "/people/former-member" not in idea_page


def test_my_portal_lists_my_ideas_follows_and_votes(world, client, login, make):
    liked = make.idea(author=world.staff, category=world.public, title="Staff's idea")
    ideas.set_vote(world.customer, liked, True)
    db.session.commit()
    login(world.customer)
    mine = client.get("/my").get_data(as_text=True)
    assert "A public wish" in mine and "Staff&#39;s idea" not in mine
    votes = client.get("/my?list=votes").get_data(as_text=True)
    assert "Staff&#39;s idea" in votes and "A public wish" in votes  # their own automatic vote
    following = client.get("/my?list=following").get_data(as_text=True)
    assert "Staff&#39;s idea" in following and f'id="follow-{liked.id}"' in following
    # Unfollow in place: the button answers in place; the list drops it on the next visit.
    response = client.post(f"/ideas/{liked.id}/follow", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Follow" in response.get_data(as_text=True)
    assert "Staff&#39;s idea" not in client.get("/my?list=following").get_data(as_text=True)
    assert client.get("/my?list=nonsense").status_code == 404
    fragment = client.get("/my?list=votes", headers={"HX-Request": "true"})
    assert fragment.get_data(as_text=True).lstrip().startswith('<div id="my-list">')


def test_my_portal_needs_a_sign_in(client):
    response = client.get("/my")
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]


def test_an_idea_hidden_since_leaves_my_votes(world, client, login, make):
    moderator = make.user(role="moderator")
    liked = make.idea(author=world.staff, category=world.public, title="Soon hidden")
    ideas.set_vote(world.customer, liked, True)
    db.session.commit()
    moderation.act(moderator, "hide", "idea", liked.id, "Spam")
    db.session.commit()
    login(world.customer)
    assert "Soon hidden" not in client.get("/my?list=votes").get_data(as_text=True)


def test_mention_suggestions_name_only_people_who_may_see_the_idea(world, client, login, make):
    discussion.add_comment(world.staff, world.secret, "Looking at it")
    colleague = make.user(kind="supplier", org=world.supplier.organization, name="Sal Colleague")
    make.idea(author=colleague, category=world.public, title="Sal's public idea")
    db.session.commit()
    login(world.supplier)
    found = client.get(f"/ideas/{world.secret.id}/mentionable?q=s").get_json()
    handles = [p["handle"] for p in found]
    # Staff in the thread first; the colleague may see the confidential idea; the rival
    # (who may not) and the one who wrote nothing are not offered.
    assert handles[0] == world.staff.handle and colleague.handle in handles
    assert world.rival.handle not in handles
    assert client.get(f"/ideas/{world.secret.id}/mentionable?q=r").get_json() == []
    assert client.get(f"/ideas/{world.secret.id}/mentionable?q=lou").get_json() == []
    assert client.get(f"/ideas/{world.secret.id}/mentionable?q=").get_json() == []
    assert client.get(f"/ideas/{world.secret.id}/mentionable?q=%25").get_json() == []
    # An idea one may not see answers 404, whatever is asked.
    login(world.rival)
    assert client.get(f"/ideas/{world.secret.id}/mentionable?q=s").status_code == 404


def test_mentions_render_as_links_for_people_who_were_mentioned(world, client):
    customer, rival = world.customer.handle, world.rival.handle
    comment = discussion.add_comment(
        world.staff,
        world.open_idea,
        f"Thanks @{customer}, and @{rival} and `@{customer}` and @nobody-at-all",
    )
    db.session.commit()
    html = db.session.get(Comment, comment.id).body_html
    assert f'<a href="/people/{world.customer.handle}" class="mention"' in html
    # The rival may read the public idea: mentioned, linked; code stays code; no such person
    # stays text.
    assert f'href="/people/{world.rival.handle}"' in html
    assert f"<code>@{world.customer.handle}</code>" in html and "@nobody-at-all" in html
    assert html.count("<a ") == 2
