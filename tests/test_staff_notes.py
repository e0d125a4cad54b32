"""Staff notes (issue 15): a private thread beside an idea's discussion, through the real stack.

Every surface a non-staff viewer reads is searched for a note's words: the idea's page and
history, the API's idea, comments and notes, search, notifications, /live, their own export,
and e-mails and webhooks queued. Staff who may not read the idea (a hidden one, for a staff
member who is no moderator) see none of its notes either.
"""

from datetime import timedelta

import pytest
from sqlalchemy import inspect, select

from portal.extensions import db
from portal.ideas import notes
from portal.ideas.models import StaffNote
from portal.moderation import service as moderation
from portal.notify.models import Notification, OutboxMessage
from portal.search.setup import rebuild
from portal.timeutil import utcnow

HX = {"HX-Request": "true"}
SECRET = "zorblax"  # the word a note holds that nobody but staff may read


class World:
    pass


@pytest.fixture
def world(app, make):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    w = World()
    w.org = make.org("Acme Metals")
    w.customer = make.user("customer", name="Cora Customer")
    w.supplier = make.user("supplier", org=w.org, name="Sid Supplier")
    w.other_supplier = make.user("supplier", name="Olaf Other")
    w.cmod = make.user("customer", role="moderator", name="Cami Moderator")
    w.staff = make.user("staff", name="Stella Staff")
    w.staff2 = make.user("staff", name="Stan Staff")
    w.admin = make.user("staff", role="admin", name="Ada Admin")
    w.public = make.idea(author=w.customer, category=make.category("public"),
                         title="A public idea about kettles")  # fmt: skip
    w.secret = make.idea(author=w.supplier, category=make.category("suppliers"),
                         title="Acme's confidential idea", confidential=True)  # fmt: skip
    from portal.admin.service import create_webhook

    create_webhook(w.admin, "http://127.0.0.1:9/hook", "a-webhook-secret-of-length",
                   ["idea.created", "idea.status_changed", "comment.created"])  # fmt: skip
    db.session.commit()
    return w


def fresh(obj):
    """The row again in the current session (a request may have ended the one it came from)."""
    return db.session.get(type(obj), inspect(obj).identity[0])


def _client_for(app, user):
    client = app.test_client()
    if user is not None:
        user = fresh(user)
        response = client.post("/login", data={"email": user.email,
                                               "password": "correct-horse-battery"})  # fmt: skip
        assert response.status_code == 302
    return client


def _write(user, idea, body):
    note = notes.add_note(user, idea, body)
    db.session.commit()
    return note


def test_staff_add_a_note_with_a_plain_form_and_in_place(app, world, client, login):
    login(world.staff)
    page = client.get(f"/ideas/{world.public.id}").get_data(as_text=True)
    assert 'id="staff-notes"' in page and "No staff notes yet." in page
    response = client.post(f"/ideas/{world.public.id}/notes",
                           data={"staff_note": "Asked **legal** about it."})  # fmt: skip
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/ideas/{world.public.id}#staff-notes")
    fragment = client.post(f"/ideas/{world.public.id}/notes", headers=HX,
                           data={"staff_note": "Second thought"})  # fmt: skip
    assert fragment.status_code == 200
    text = fragment.get_data(as_text=True)
    assert 'id="staff-notes"' in text
    assert "<strong>legal</strong>" in text and "Second thought" in text
    assert "<html" not in text  # the panel only
    # Bad input: a clear message, nothing written.
    empty = client.post(f"/ideas/{world.public.id}/notes", data={"staff_note": " "})
    assert empty.status_code == 422 and "This field is required" in empty.get_data(as_text=True)
    control = client.post(f"/ideas/{world.public.id}/notes", data={"staff_note": "a\x00b"})
    assert control.status_code == 422
    assert db.session.scalar(select(db.func.count(StaffNote.id))) == 2


VIEWERS = ("anonymous", "customer", "supplier", "other_supplier", "cmod")


@pytest.mark.parametrize("who", VIEWERS)
def test_no_surface_shows_a_note_to_anyone_but_staff(app, world, who):
    for idea in (world.public, world.secret):
        _write(world.staff, idea, f"Internal: {SECRET} on #{idea.id}, cc @{world.staff2.handle}")
    # A staff answer and a status change: followers are told, webhooks fire.
    from portal.ideas import discussion
    from portal.ideas import service as ideas

    discussion.add_comment(world.staff, world.public, "Thanks, looking.", official=True)
    ideas.change_status(world.staff, world.public, "under_review", note="Looking")
    db.session.commit()
    rebuild(progress=False)
    user = getattr(world, who, None)
    client = _client_for(app, user)
    headers = {}
    if user is not None:
        from portal.accounts import service as accounts

        user = fresh(user)
        _token, secret = accounts.create_token(user, "t")
        db.session.commit()
        headers = {"Authorization": f"Bearer {secret}"}
    seen = []
    for idea in (world.public, world.secret):
        base = f"/ideas/{idea.id}"
        for path in (base, f"{base}/history", f"/live?watch=idea:{idea.id}&refresh=idea:"
                     f"{idea.id}&cursor=0&page={base}"):  # fmt: skip
            response = client.get(path, headers=HX if path.startswith("/live") else {})
            seen.append((path, response.status_code, response.get_data(as_text=True)))
        for path in (base, f"{base}/comments", f"{base}/notes"):
            response = client.get(f"/api/v1{path}", headers=headers)
            seen.append((f"API {path}", response.status_code, response.get_data(as_text=True)))
        notes_api = seen[-1]
        readable = idea is world.public or who == "supplier"
        assert notes_api[1] == (403 if readable else 404), notes_api[:2]
        # Writing one is refused as reading is (a visitor is sent to sign in).
        response = client.post(f"{base}/notes", data={"staff_note": "sneaky"})
        assert response.status_code in ((302,) if user is None else (403, 404))
    # Search repeats the query: what must not be found is the rest of the note.
    found = client.get(f"/api/v1/search?q={SECRET}", headers=headers)
    assert found.status_code == 200 and found.get_json()["total"] == 0
    page = client.get(f"/search?q={SECRET}").get_data(as_text=True)
    assert "Internal:" not in page
    if user is not None:
        for path in ("/notifications", "/api/v1/notifications", "/account/export",
                     "/api/v1/me/export"):  # fmt: skip
            response = client.get(path, headers=headers if path.startswith("/api") else {})
            seen.append((path, response.status_code, response.get_data(as_text=True)))
    for path, status, text in seen:
        assert status < 500, (path, status)
        assert SECRET not in text, f"{who} reads the note on {path}"
        if not path.endswith("/notes"):  # elsewhere nothing says that notes exist
            assert "staff-notes" not in text and "Staff notes" not in text, (who, path)
    address = fresh(user).email if user is not None else None
    for row in db.session.scalars(select(OutboxMessage)).all():
        if row.kind == "webhook" or row.recipient == address:
            assert SECRET not in row.body, f"{row.kind} to {row.recipient} quotes a note"
    # Staff read them (page and API), and staff2 was told about both.
    staff_page = _client_for(app, world.staff2).get(f"/ideas/{world.secret.id}")
    assert SECRET in staff_page.get_data(as_text=True)


def test_staff_who_meet_a_hidden_ideas_tombstone_see_none_of_its_notes(app, world, token_for):
    _write(world.admin, world.public, f"Before hiding: {SECRET}")
    moderation.act(world.admin, "hide", "idea", world.public.id, "Spam")
    db.session.commit()
    client = _client_for(app, world.staff)
    page = client.get(f"/ideas/{world.public.id}")
    assert page.status_code == 200 and SECRET not in page.get_data(as_text=True)
    assert client.post(f"/ideas/{world.public.id}/notes",
                       data={"staff_note": "x"}).status_code == 404  # fmt: skip
    api = client.get(f"/api/v1/ideas/{world.public.id}/notes", headers=token_for(world.staff))
    assert api.status_code == 404
    # A staff moderator (and the admin) still may.
    smod = make_staff_moderator(world)
    assert SECRET in _client_for(app, smod).get(f"/ideas/{world.public.id}").get_data(as_text=True)


def make_staff_moderator(world):
    from portal.accounts import service as accounts

    user = accounts.create_user("smod@example.com", "correct-horse-battery",
                                display_name="Sam Mod", kind="staff", role="moderator")  # fmt: skip
    db.session.commit()
    return user


def test_a_mention_tells_staff_only_and_says_nothing_of_others(app, world):
    world.staff2.email_preference = "instant"
    world.customer.email_preference = "instant"
    body = (f"Ask @{world.staff2.handle} and @{world.customer.handle} and "
            f"@{world.admin.handle} about {SECRET}")  # fmt: skip
    note = _write(world.staff, world.public, body)
    told = db.session.scalars(select(Notification)).all()
    assert {n.user_id for n in told} == {world.staff2.id, world.admin.id}
    assert all(n.event == "mention" and n.staff_note_id == note.id for n in told)
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "email")).all()
    assert world.staff2.email in {m.recipient for m in mails}
    assert world.customer.email not in {m.recipient for m in mails}
    mail = next(m for m in mails if m.recipient == world.staff2.email)
    assert SECRET in mail.body and f"#note-{note.id}" in mail.body
    assert "Reply-To" not in mail.headers  # an answer by e-mail must not become a comment
    # The centre links to the note itself.
    client = _client_for(app, world.staff2)
    centre = client.get("/notifications").get_data(as_text=True)
    assert SECRET in centre
    # Editing tells only whoever is newly mentioned.
    staff3 = make_staff_moderator(world)
    notes.edit_note(world.staff, note, body + f" and @{staff3.handle}")
    db.session.commit()
    assert db.session.scalar(select(db.func.count(Notification.id))) == 3
    # Someone who stops being staff stops seeing it in their notifications.
    world.staff2.kind = "customer"
    db.session.commit()
    assert SECRET not in _client_for(app, world.staff2).get("/notifications").get_data(
        as_text=True)  # fmt: skip
    # Deleting the note takes the notifications quoting it along.
    notes.delete_note(world.staff, note)
    db.session.commit()
    assert db.session.scalar(select(db.func.count(Notification.id))) == 0


def test_edit_within_the_window_and_delete_own_or_as_admin(app, world):
    note = _write(world.staff, world.public, "First words")
    other = _client_for(app, world.staff2)
    assert other.get(f"/ideas/{world.public.id}/notes/{note.id}/edit").status_code == 403
    assert other.post(f"/ideas/{world.public.id}/notes/{note.id}/delete").status_code == 403
    author = _client_for(app, world.staff)
    page = author.get(f"/ideas/{world.public.id}/notes/{note.id}/edit")
    assert page.status_code == 200 and "First words" in page.get_data(as_text=True)
    response = author.post(f"/ideas/{world.public.id}/notes/{note.id}/edit",
                           data={"staff_note": "Better words"})  # fmt: skip
    assert response.status_code == 302
    db.session.expire_all()
    assert note.body == "Better words" and note.edited_at is not None
    note.created_at = utcnow() - timedelta(hours=app.config["COMMENT_EDIT_HOURS"] + 1)
    db.session.commit()
    late = author.post(f"/ideas/{world.public.id}/notes/{note.id}/edit",
                       data={"staff_note": "Too late"})  # fmt: skip
    assert late.status_code == 409 and "can be edited for" in late.get_data(as_text=True)
    db.session.expire_all()
    assert note.body == "Better words"
    # An admin deletes anyone's note (in place with htmx).
    admin = _client_for(app, world.admin)
    fragment = admin.post(f"/ideas/{world.public.id}/notes/{note.id}/delete", headers=HX)
    assert fragment.status_code == 200 and "No staff notes yet." in fragment.get_data(as_text=True)
    assert db.session.get(StaffNote, note.id) is None
    # Another idea's number in the path does not reach a note.
    mine = _write(world.staff, world.public, "Mine")
    assert author.post(f"/ideas/{world.secret.id}/notes/{mine.id}/delete").status_code == 404


def test_the_api_lists_and_writes_notes_for_staff(app, world, client, token_for):
    staff = token_for(world.staff)
    url = f"/api/v1/ideas/{world.secret.id}/notes"
    created = client.post(url, json={"body": f"Plan **{SECRET}**"}, headers=staff)
    assert created.status_code == 201
    body = created.get_json()
    assert body["body_html"].strip() == f"<p>Plan <strong>{SECRET}</strong></p>"
    assert body["author"]["id"] == world.staff.id and body["idea_id"] == world.secret.id
    listed = client.get(url, headers=staff).get_json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == body["id"]
    assert client.post(url, json={"body": "x"}).status_code == 401
    assert client.post(url, json={"body": ""}, headers=staff).status_code == 422
    assert client.post(url, json=["x"], headers=staff).status_code == 400
    assert client.get(url, headers=token_for(world.customer)).status_code == 404
    assert client.get(url, headers=token_for(world.supplier)).status_code == 403
    supplier = token_for(world.supplier)
    assert client.post(url, json={"body": "x"}, headers=supplier).status_code == 403
    assert client.get("/api/v1/ideas/2147483647/notes", headers=staff).status_code == 404


def test_the_export_holds_ones_own_notes_and_nobody_elses(app, world):
    _write(world.staff, world.secret, f"Stella's note {SECRET}")
    mine = _client_for(app, world.staff).get("/account/export").get_json()
    [entry] = mine["activity"]["staff_notes"]
    assert SECRET in entry["body"] and entry["idea_id"] == world.secret.id
    theirs = _client_for(app, world.staff2).get("/account/export").get_data(as_text=True)
    assert SECRET not in theirs
    author = _client_for(app, world.supplier).get("/account/export").get_data(as_text=True)
    assert SECRET not in author


def test_erasure_keeps_the_notes_by_former_member(app, world):
    from portal.privacy import erasure

    _write(world.staff, world.public, f"Kept {SECRET}")
    erasure.erase(world.admin, world.staff)
    db.session.commit()
    page = _client_for(app, world.staff2).get(f"/ideas/{world.public.id}").get_data(as_text=True)
    assert SECRET in page and "Former member" in page and "Stella Staff" not in page
