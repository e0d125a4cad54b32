"""Attacker's review of issue 15 (files, staff notes, feeds, people, language): each test
is a way in that was open, closed since."""

import io

import pytest
from PIL import Image

from portal.extensions import db
from portal.ideas import discussion
from portal.ideas.models import Comment


def png(color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def world(app, make):
    w = type("World", (), {})()
    w.customer = make.user(name="Cora Customer")
    w.lurker = make.user(kind="supplier", org=make.org("Acme"), name="Lou Lurker")  # wrote nothing
    w.staff = make.user(kind="staff", name="Stan Staff")
    w.public = make.category()
    w.idea = make.idea(author=w.customer, category=w.public, title="A public wish")
    return w


# -- people: a mention must not tell the writer who has an account --------------------------


def test_a_mention_of_someone_whose_page_the_writer_may_not_see_stays_text(world, client, login):
    """Typing `@handle` in a comment and seeing it turn into a link told the writer that the
    account exists (and may read the idea): the enumeration /people/<handle> refuses."""
    login(world.customer)
    assert client.get(f"/people/{world.lurker.handle}").status_code == 404
    body = f"Hello @{world.lurker.handle} and @nobody-here"
    response = client.post(f"/ideas/{world.idea.id}/comments", data={"body": body})
    assert response.status_code == 302
    comment = db.session.scalar(db.select(Comment).order_by(Comment.id.desc()))
    assert f"/people/{world.lurker.handle}" not in comment.body_html
    assert f"@{world.lurker.handle}" in comment.body_html
    page = client.get(f"/ideas/{world.idea.id}").get_data(as_text=True)
    assert f'href="/people/{world.lurker.handle}"' not in page
    # Staff may see everyone's page: their mention is a link (the person is still told).
    comment = discussion.add_comment(world.staff, world.idea, f"Ping @{world.lurker.handle}")
    db.session.commit()
    assert f'href="/people/{world.lurker.handle}"' in comment.body_html
    # Once the person wrote something the writer may read, the writer's mention links too.
    discussion.add_comment(world.lurker, world.idea, "Here I am")
    comment = discussion.add_comment(world.customer, world.idea, f"Hi @{world.lurker.handle}")
    db.session.commit()
    assert f'href="/people/{world.lurker.handle}"' in comment.body_html
