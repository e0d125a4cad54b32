"""Ways in found by an attacker's pass over pictures and @mentions (issue 15), closed since:
a mention must not tell who has an account, and uploads must not pile up unused."""

import io
from datetime import timedelta

import pytest
from PIL import Image

from portal.extensions import db
from portal.ideas import discussion
from portal.ideas.models import Comment
from portal.timeutil import utcnow


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


# -- files: one account cannot fill the database ---------------------------------------------


def upload(client, data: bytes, name: str):
    return client.post("/files", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")  # fmt: skip


def test_an_established_account_cannot_pile_up_uploads_no_post_uses(world, app, client, login):
    """Only new accounts were rate-limited: any other could upload 5 MB after 5 MB, kept for a
    day each, without ever posting. Uploads waiting for a post are bounded per person."""
    app.config["FILES_MAX_PENDING"] = 3
    world.customer.created_at = utcnow() - timedelta(days=365)
    db.session.commit()
    login(world.customer)
    sent = [upload(client, png((i, 0, 0)), f"p{i}.png") for i in range(3)]
    assert [r.status_code for r in sent] == [201, 201, 201]
    refused = upload(client, png(), "one-more.png")
    assert refused.status_code == 422
    assert "waiting" in refused.get_json()["error"]["message"]
    # The form without JavaScript is refused the same way, and keeps nothing.
    response = client.post(
        f"/ideas/{world.idea.id}/comments",
        data={"body": "See", "files": [(io.BytesIO(png()), "x.png")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    # Once a post uses them, there is room again.
    markdown = " ".join(r.get_json()["markdown"] for r in sent)
    assert client.post(f"/ideas/{world.idea.id}/comments",
                       data={"body": markdown}).status_code == 302  # fmt: skip
    assert upload(client, png(), "again.png").status_code == 201
