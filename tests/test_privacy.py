"""Your data (SPEC 15): the export holds everything about a person, erasure leaves no trace of
who they were, and both keep every rule about what others may read.

`person` builds one staff admin with a row in every table that points at a person, made
through the real services; the coverage test walks the schema, so a table added later with a
column pointing at people fails here until the export (and erasure) know of it.
"""

import json
import re

import pytest
from sqlalchemy import String, Text, func, select, text

from portal.accounts import service as accounts
from portal.accounts.models import UNUSABLE_PASSWORD, User, UserIdentity
from portal.admin import service as admin
from portal.extensions import db
from portal.ideas import discussion
from portal.ideas import service as ideas
from portal.ideas.models import Comment, Follow, Idea, Vote
from portal.intake import service as intake
from portal.moderation import service as moderation
from portal.notify.models import Notification, OutboxMessage
from portal.notify.service import sign
from portal.privacy import erasure
from portal.privacy.export import COVERAGE
from portal.routing import service as routing
from portal.tracking import service as tracking
from tests.conftest import PASSWORD

NAME = "Zebediah Quux"
EMAIL = "zebediah.quux@example.org"


def _user_columns():
    """Every (table, column) whose foreign key points at user.id, and user.id itself."""
    found = {("user", "id")}
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            for key in column.foreign_keys:
                if key.column.table.name == "user":
                    found.add((table.name, column.name))
    return found


class Person:
    """The person and the others around them."""

    def __init__(self, make):
        self.org = make.org("Acme")
        self.team = make.team("Support")
        self.admin = make.user(kind="staff", role="admin", name="Ada Admin")
        self.other = make.user(name="Olga Other")
        self.me = make.user(kind="staff", role="admin", name=NAME, email=EMAIL)
        self.supplier = make.user(kind="supplier", org=self.org, name="Sam Supplier")
        admin.add_team_member(self.admin, self.team, self.me.id)
        db.session.add(
            UserIdentity(
                user_id=self.me.id,
                provider="corp",
                issuer="https://id.example.com",
                subject="sub-123",
            )
        )
        self.category = make.category(team=self.team)
        db.session.commit()


def _build(make) -> Person:
    p = Person(make)
    me, other, ada = p.me, p.other, p.admin
    # Customer-like traces: an idea (edited), comments (one edited, one by e-mail), votes,
    # follows, a flag, an appeal, mentions and notifications.
    mine = make.idea(author=me, category=p.category, title="Quieter dishwasher",
                     body="Zebediah's idea body")  # fmt: skip
    ideas.edit_idea(me, mine, body="A quieter dishwasher, please.")
    theirs = make.idea(author=other, category=p.category, title="Brighter oven light")
    secret = make.idea(author=p.supplier, category=make.category(audience="suppliers"),
                       title="Acme's secret supplier plan", confidential=True)  # fmt: skip
    admin.create_webhook(ada, "http://127.0.0.1:9/hook", "a-webhook-secret-of-length",
                         ["comment.created"])  # fmt: skip
    db.session.commit()
    ideas.set_vote(me, theirs, True)
    olga_comment = discussion.add_comment(other, theirs, "I agree, and @" + me.handle + " too?")
    reply = discussion.add_comment(me, theirs, "Thanks for asking.", parent_id=olga_comment.id)
    discussion.edit_comment(me, reply, "Thanks for asking, I do.")
    hidden_comment = discussion.add_comment(me, theirs, "A hasty remark")
    db.session.commit()
    moderation.act(ada, "hide", "comment", hidden_comment.id, "Off topic")
    moderation.appeal(me, "comment", hidden_comment.id, "It was on topic.")
    moderation.flag(me, "comment", olga_comment.id, "other", note="Mildly rude")
    # Staff work: a status change with a note, an official answer, a move, an edit of
    # another's idea, an item (created, owned, changed), a routing rule naming them, intake
    # messages assigned, answered and handled, an admin change.
    ideas.change_status(me, theirs, "under_review", note="Looking at it")
    discussion.add_comment(me, theirs, "We are on it.", official=True)
    ideas.revise(me, theirs, body="Brighter oven light (clarified)")
    ideas.move(me, theirs, kind="problem")
    item = tracking.promote(me, [theirs.id], title="Oven light", owner_id=me.id)
    tracking.update_item(me, item, status="in_progress", note="Started")
    routing.create_rule(ada, {"name": "Ovens to me", "team_id": p.team.id,
                              "assignee_id": me.id, "conditions": {"words": ["oven"]}})  # fmt: skip
    moderation.act(me, "hide", "comment", olga_comment.id, "Rude after all")
    admin.create_team(me, "Ovens")
    routing.reassign_idea(ada, mine, team_id=p.team.id, assignee_id=me.id)
    received = intake.receive(source="api", sender_email="customer@example.net", body="Oven?",
                              subject="Oven light", sender_name="Carl Customer")  # fmt: skip
    message = received.message
    intake.assign(ada, message, assignee_id=me.id)
    intake.reply(me, message, "We are looking at it.")
    # A message they sent themselves, signed with their name, answered by name.
    own = intake.receive(source="api", sender_email=EMAIL, sender_name=NAME,
                         subject="From Zebediah", body="Hello, Zebediah Quux here.")  # fmt: skip
    own = own.message
    intake.reply(ada, own, "Dear Zebediah Quux, thanks.")
    intake.dismiss(me, intake.receive(source="api", sender_email="x@example.net",
                                      body="spam").message, "Spam")  # fmt: skip
    accounts.create_token(me, "laptop")
    db.session.commit()
    p.mine, p.theirs, p.secret, p.item, p.olga_comment = mine, theirs, secret, item, olga_comment
    return p


@pytest.fixture
def person(app, make):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True  # a receiver that refuses connections
    return _build(make)


def test_every_column_pointing_at_a_person_has_a_place_in_the_export(app):
    missing = _user_columns() - set(COVERAGE)
    assert not missing, f"columns pointing at people that the export does not cover: {missing}"
    assert not set(COVERAGE) - _user_columns(), "COVERAGE names columns that do not exist"


def _section(document, path):
    parts = path.split(".")
    if parts[0] == "activity":
        return document["activity"][parts[1]]
    if parts[0] == "profile" and len(parts) == 2:
        return document["profile"][parts[1]]
    return document[parts[0]]


def test_the_export_holds_every_row_about_the_person(person, client, login):
    login(person.me)
    response = client.get("/account/export")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.headers["Cache-Control"] == "no-store"
    document = response.get_json()
    uid = person.me.id
    for (table, column), (section, key, source) in COVERAGE.items():
        rows = set(
            db.session.scalars(
                text(f'SELECT "{source}" FROM "{table}" WHERE "{column}" = :u'), {"u": uid}
            )  # fmt: skip
        )
        assert rows, f"the test person has no row in {table}.{column}: extend _build"
        entries = _section(document, section)
        if isinstance(entries, dict):
            entries = [entries]
        exported = {entry[key] for entry in entries}
        assert rows <= exported, f"{table}.{column}: {rows - exported} not in {section}"


def test_the_export_tells_no_secret_and_nothing_the_person_may_not_read(person, client, login):
    login(person.me)
    token_row = accounts.user_tokens(person.me)[0]
    raw = client.get("/account/export").get_data(as_text=True)
    assert person.me.password_hash not in raw
    assert token_row.token_hash not in raw and token_row.prefix not in raw
    document = json.loads(raw)
    assert document["profile"]["email"] == EMAIL and document["profile"]["has_password"]
    assert [t["name"] for t in document["tokens"]] == ["laptop"]
    # Their comment's revision history is there.
    [edited] = [c for c in document["comments"] if c["revisions"]]
    assert edited["revisions"][0]["body"] == "Thanks for asking."
    # Their idea is theirs whatever became of it; the supplier's secret is nowhere.
    assert "Acme's secret supplier plan" not in raw


def test_a_flag_on_what_the_person_may_no_longer_read_is_named_by_number(app, make, client,
                                                                          login):  # fmt: skip
    org = make.org()
    supplier, colleague = make.user(kind="supplier", org=org), make.user(kind="supplier", org=org)
    suppliers_only = make.category(audience="suppliers")
    idea = make.idea(author=colleague, category=suppliers_only, title="Our confidential plan",
                     confidential=True)  # fmt: skip
    make.idea(author=supplier, category=suppliers_only, title="My own plan", confidential=True)
    # The supplier flags a colleague's idea, then leaves the company (a customer now): the
    # idea is someone else's secret now.
    moderation.flag(supplier, "idea", idea.id, "spam")
    ideas.set_vote(supplier, idea, True)
    db.session.commit()
    supplier.kind, supplier.organization_id = "customer", None
    db.session.commit()
    login(supplier)
    raw = client.get("/account/export").get_data(as_text=True)
    assert "Our confidential plan" not in raw
    document = json.loads(raw)
    assert document["flags"][0]["target_id"] == idea.id
    assert "target_title" not in document["flags"][0]
    [vote] = [vote for vote in document["votes"] if vote["idea_id"] == idea.id]
    assert "idea_title" not in vote
    # Their own idea is theirs to take, even so.
    assert [i["title"] for i in document["ideas"]] == ["My own plan"]


def test_the_api_exports_for_the_token_owner_only(person, client, token_for):
    response = client.get("/api/v1/me/export", headers=token_for(person.me))
    assert response.status_code == 200
    assert response.get_json()["profile"]["email"] == EMAIL
    assert client.get("/api/v1/me/export").status_code == 401


# -- erasure ---------------------------------------------------------------------------------


def _text_columns():
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, (String, Text)):
                yield table.name, column.name


def _where_named(needles) -> list[str]:
    """Every table.column (and row id) whose text contains one of `needles`, any case."""
    found = []
    for table, column in _text_columns():
        for needle in needles:
            rows = db.session.execute(
                text(f'SELECT "{column}" FROM "{table}" WHERE lower("{column}") LIKE :n'),
                {"n": f"%{needle.lower()}%"},
            ).all()
            found += [f"{table}.{column}: {row[0][:80]!r}" for row in rows]
    return found


def _recounted() -> list[str]:
    wrong = []
    for idea in db.session.scalars(select(Idea)):
        votes = db.session.scalar(select(func.count(Vote.id)).where(Vote.idea_id == idea.id))
        if votes != idea.votes_count:
            wrong.append(f"idea {idea.id}: votes {idea.votes_count} != {votes}")
        expected_hot = ideas.hot_score(idea.votes_count, idea.comments_count, idea.created_at)
        if abs(expected_hot - idea.hot) > 1e-9:
            wrong.append(f"idea {idea.id}: hot {idea.hot} != {expected_hot}")
    return wrong


def test_erasure_leaves_no_trace_of_who_they_were(person, client, login):
    me_id = person.me.id
    handle = person.me.handle
    # Their idea has their own vote, and Olga's; the webhook and the e-mail to Olga about
    # their reply are still queued.
    ideas.set_vote(person.other, person.mine, True)
    db.session.commit()
    named = _where_named([NAME, EMAIL])
    for place in ("outbox_message.body", "notification.message", "admin_change.details",
                  "intake_message.sender_email", "intake_reply.body"):  # fmt: skip
        assert any(found.startswith(place) for found in named), f"nothing named in {place}"
    webhooks = select(OutboxMessage).where(OutboxMessage.kind == "webhook")
    assert any(NAME in m.body for m in db.session.scalars(webhooks))
    login(person.me)
    page = client.get("/account/delete")
    assert page.status_code == 200 and b"Former member" in page.data
    wrong = client.post("/account/delete", data={"password": "not-it"})
    assert wrong.status_code == 422 and b"The password is not right." in wrong.data
    assert db.session.get(User, me_id).erased_at is None
    response = client.post("/account/delete", data={"password": PASSWORD})
    assert response.status_code == 302
    db.session.expire_all()

    assert _where_named([NAME, EMAIL]) == []
    # Their handle is left only in words others wrote themselves (Olga's @mention, and the
    # webhook call that carries her comment).
    for place in _where_named([handle]):
        assert place.split(":")[0] in ("comment.body", "comment.body_html", "outbox_message.body")
        assert "I agree, and @" in place
    assert "Olga" in db.session.get(Comment, person.olga_comment.id).author.display_name
    me = db.session.get(User, me_id)
    assert me.display_name == "Former member" and me.erased_at is not None
    assert me.password_hash == UNUSABLE_PASSWORD
    for model in (Vote, Follow, Notification, UserIdentity):
        assert not db.session.scalar(select(func.count()).select_from(model)
                                     .where(model.user_id == me_id))  # fmt: skip
    assert _recounted() == []
    mine = db.session.get(Idea, person.mine.id)
    assert mine.votes_count == 1  # Olga's vote; their own automatic vote went
    # Their ideas and comments stay, by Former member, on the pages and in the API.
    assert mine.author_id == me_id
    page = client.get(f"/ideas/{person.theirs.id}")
    assert b"Former member" in page.data and b"Thanks for asking, I do." in page.data
    api = client.get(f"/api/v1/ideas/{person.mine.id}").get_json()
    assert "Former member" in json.dumps(api["author"])
    # Queued webhooks still carry valid JSON and a signature that matches the new body.
    for message in db.session.scalars(webhooks):
        data = json.loads(message.body)
        headers = json.loads(message.headers)
        secret = message.webhook_id and db.session.scalar(
            text("SELECT secret FROM webhook WHERE id = :i"), {"i": message.webhook_id}
        )
        if secret:
            assert headers["X-Portal-Signature"] == sign(secret, message.body.encode())
        assert NAME not in json.dumps(data)
    # Signed out, and the old session cannot come back; the address can register again.
    assert client.get("/account").status_code == 302
    assert client.post("/login", data={"email": EMAIL, "password": PASSWORD}).status_code == 200
    again = accounts.create_user(EMAIL, PASSWORD, display_name="Zeb again")
    db.session.commit()
    assert again.id != me_id


def test_search_finds_their_words_without_their_name(person, client, login):
    login(person.me)
    client.post("/account/delete", data={"password": PASSWORD})
    db.session.expire_all()
    result = client.get("/api/v1/search?q=dishwasher").get_json()
    assert result["items"], "their idea is still found"
    assert NAME not in json.dumps(result)


def test_a_wrong_confirmation_changes_nothing_and_the_api_erases(person, client, token_for):
    headers = token_for(person.me)
    assert (
        client.delete("/api/v1/me", headers=headers, json={"password": "nope"}).status_code == 422
    )
    assert client.delete("/api/v1/me", headers=headers, data="[").status_code == 400
    assert db.session.get(User, person.me.id).erased_at is None
    assert (
        client.delete("/api/v1/me", headers=headers, json={"password": PASSWORD}).status_code == 204
    )
    # The token died with the account.
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_the_last_admin_cannot_erase_themselves(app, make, client, login):
    only = make.user(kind="staff", role="admin")
    login(only)
    page = client.get("/account/delete")
    assert b"the only admin" in page.data
    response = client.post("/account/delete", data={"password": PASSWORD})
    assert response.status_code == 409
    assert db.session.get(User, only.id).erased_at is None


def test_an_account_without_a_password_confirms_with_its_address(app, make, client, login):
    user = make.user(name="Sso Person")
    login(user)
    user.password_hash = UNUSABLE_PASSWORD
    db.session.commit()
    page = client.get("/account/delete")
    assert b"Type your e-mail address" in page.data
    assert client.post("/account/delete", data={"email": "someone@else.org"}).status_code == 422
    assert client.post("/account/delete", data={"email": user.email.upper()}).status_code == 302
    assert db.session.get(User, user.id).erased_at is not None


def test_the_cli_erases_without_asking(person, runner):
    result = runner.invoke(args=["users", "erase", EMAIL])
    assert result.exit_code == 0, result.output
    assert db.session.get(User, person.me.id).erased_at is not None
    again = runner.invoke(args=["users", "erase", EMAIL])
    assert again.exit_code == 1 and "no user" in again.output


def test_erasure_fails_whole_or_not_at_all(person, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(erasure, "_release_work", broken)
    with pytest.raises(RuntimeError):
        erasure.erase(None, person.me)
    db.session.rollback()
    db.session.expire_all()
    me = db.session.get(User, person.me.id)
    assert me.display_name == NAME and me.erased_at is None
    assert db.session.scalar(select(func.count(Vote.id)).where(Vote.user_id == me.id))


def test_nobody_mentions_or_notifies_an_erased_person(person, make):
    handle = person.me.handle
    erasure.erase(None, person.me)
    db.session.commit()
    former = db.session.get(User, person.me.id)
    comment = discussion.add_comment(person.other, person.theirs, f"Ping @{former.handle}")
    db.session.commit()
    assert not db.session.scalar(select(func.count(Notification.id))
                                 .where(Notification.user_id == former.id))  # fmt: skip
    assert re.search(handle, comment.body) is None
    assert not db.session.scalar(
        select(func.count(OutboxMessage.id)).where(OutboxMessage.recipient == former.email)
    )


def test_the_privacy_page_is_linked_from_every_page(client):
    page = client.get("/privacy")
    assert page.status_code == 200
    for words in (b"What we keep", b"For how long", b"Take your data with you", b"Erase"):
        assert words in page.data
    assert b'href="/privacy"' in client.get("/ideas").data


def test_an_idea_hidden_since_is_named_by_number_in_a_voters_export(app, make, client, login):
    author, voter, moderator = make.user(), make.user(), make.user(role="moderator")
    idea = make.idea(author=author, title="Soon to be hidden")
    ideas.set_vote(voter, idea, True)
    discussion.add_comment(voter, idea, "My words stay mine")
    db.session.commit()
    moderation.act(moderator, "hide", "idea", idea.id, "Spam")
    db.session.commit()
    login(voter)
    raw = client.get("/account/export").get_data(as_text=True)
    assert "Soon to be hidden" not in raw
    document = json.loads(raw)
    assert [v["idea_id"] for v in document["votes"]] == [idea.id]
    assert [c["body"] for c in document["comments"]] == ["My words stay mine"]


def _squatted_message(make):
    """Someone wrote from an address; later another person registers that address and never
    confirms it (anyone can type any address at registration)."""
    received = intake.receive(source="email", sender_email="vera@example.net",
                              sender_name="Vera Victim", subject="My contract",
                              body="Contract 4711, please call me.")  # fmt: skip
    intake.reply(make.user(kind="staff"), received.message, "Your refund 4711 is approved.")
    squatter = accounts.create_user("vera@example.net", PASSWORD, display_name="Sly Squatter",
                                    verified=False)  # fmt: skip
    # Vera writes again: the message is linked to the account that has her address now.
    later = intake.receive(
        source="email",
        sender_email="vera@example.net",
        sender_name="Vera Victim",
        body="Contract 4711 again.",
    ).message
    db.session.commit()
    return received.message, later, squatter


def test_an_unconfirmed_address_does_not_export_the_messages_sent_from_it(app, make, client,
                                                                           login):  # fmt: skip
    _first, later, squatter = _squatted_message(make)
    login(squatter)
    raw = client.get("/account/export").get_data(as_text=True)
    assert "4711" not in raw and "Vera Victim" not in raw and "My contract" not in raw
    assert json.loads(raw)["intake"] == [{"id": later.id}]


def test_erasing_an_unconfirmed_account_leaves_the_addresss_messages_alone(app, make, client,
                                                                            login):  # fmt: skip
    first, later, squatter = _squatted_message(make)
    ids = first.id, later.id
    login(squatter)
    assert client.post("/account/delete", data={"password": PASSWORD}).status_code == 302
    db.session.expire_all()
    for kept in (db.session.get(type(first), i) for i in ids):
        assert kept.user_id is None  # no longer points at the erased account
        assert (kept.sender_email, kept.sender_name) == ("vera@example.net", "Vera Victim")
        assert "4711" in kept.body


def test_staff_who_left_get_their_work_by_number_not_its_internals(app, make, client, login):
    """A staff member's work, once they are staff no more: which rows, not what staff alone
    may read (intake correspondence, items over ideas they may not see, routing rules)."""
    ada = make.user(kind="staff", role="admin")
    team = make.team("Suppliers desk")
    worker = make.user(kind="staff", name="Walt Worker")
    admin.add_team_member(ada, team, worker.id)
    secret = make.idea(author=make.user(kind="supplier"), category=make.category("suppliers"),
                       title="Supplier pricing overhaul", confidential=True)  # fmt: skip
    item = tracking.promote(worker, [secret.id], title="Pricing overhaul item", owner_id=worker.id)
    routing.create_rule(ada, {"name": "Pricing complaints to Walt", "team_id": team.id,
                              "assignee_id": worker.id,
                              "conditions": {"words": ["pricing"]}})  # fmt: skip
    message = intake.receive(
        source="api", sender_email="payer@example.net", body="Why was I charged twice?"
    ).message
    intake.reply(worker, message, "Refund of 99 EUR to IBAN DE00 1234 sent.")
    db.session.commit()
    worker.kind = "customer"  # left the company, kept a customer account
    admin.release_work(worker)
    db.session.commit()
    login(worker)
    raw = client.get("/account/export").get_data(as_text=True)
    for internal in ("Pricing overhaul item", "Pricing complaints", "IBAN", "overhaul"):
        assert internal not in raw, internal
    activity = json.loads(raw)["activity"]
    assert [i["id"] for i in activity["items_owned"]] == [item.id]
    assert [r["message_id"] for r in activity["intake_replies"]] == [message.id]
    assert len(activity["routing_rules"]) == 1


def test_the_export_costs_the_same_queries_for_many_rows_as_for_few(app, make, count_queries):
    """A person with thousands of rows: a query per section, never one per row."""
    from portal.privacy import export

    me, other, staff = make.user(), make.user(), make.user(kind="staff")
    category = make.category()
    moderation.flag(me, "user", other.id, "spam")

    def add_rows(count):
        for _ in range(count):
            idea = make.idea(author=other, category=category)
            ideas.set_vote(me, idea, True)
            theirs = discussion.add_comment(other, idea, f"Hello @{me.handle}")
            discussion.add_comment(me, idea, "Mine")
            moderation.flag(me, "comment", theirs.id, "spam")
            moderation.flag(me, "idea", idea.id, "spam")
            sent = intake.receive(source="api", sender_email=me.email, body="A message").message
            intake.reply(staff, sent, "An answer")
        db.session.commit()
        db.session.expire_all()
        with count_queries() as queries:
            export.export(me)
        return len(queries)

    assert add_rows(2) == add_rows(10)


def test_a_name_that_is_a_common_word_rewrites_nobody_elses_texts(person, client, login):
    """Erasure rewrites the portal's own words about the person, not every text holding
    their name as a word: a person named "replied" must not rewrite others' notifications,
    e-mails, webhook calls and the admin log."""
    mallory = accounts.create_user("mallory@example.org", PASSWORD, display_name="replied")
    db.session.commit()
    discussion.add_comment(person.me, person.theirs, "Olga, this replied to nothing.")
    db.session.commit()
    tables = ("notification.message", "outbox_message.body", "admin_change.details")
    before = {place for place in _where_named(["replied"]) if place.split(":")[0] in tables}
    assert any(p.startswith("notification.message") for p in before)
    assert any(p.startswith("outbox_message.body") for p in before)
    webhooks = {m.id: m.body for m in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "webhook"))}  # fmt: skip
    login(mallory)
    assert client.post("/account/delete", data={"password": PASSWORD}).status_code == 302
    db.session.expire_all()
    after = {place for place in _where_named(["replied"]) if place.split(":")[0] in tables}
    assert after == before
    for message_id, body in webhooks.items():
        assert db.session.get(OutboxMessage, message_id).body == body


def test_two_erasures_at_once_erase_once(app, make):
    """A second request (another tab, the API) loaded the account before the first erased
    it: it is refused, not run again over the erased row."""
    from portal.admin.models import AdminChange
    from portal.errors import Conflict

    user = make.user(name="Twice Tapped")
    user_id = user.id
    assert user.erased_at is None  # loaded by "this request"
    with db.engine.begin() as other:  # the first request's erasure, committed meanwhile
        other.execute(text('UPDATE "user" SET erased_at = CURRENT_TIMESTAMP WHERE id = :i'),
                      {"i": user_id})  # fmt: skip
    with pytest.raises(Conflict):
        erasure.erase_own_account(user, password=PASSWORD)
    db.session.rollback()
    assert not db.session.scalar(
        select(func.count(AdminChange.id)).where(AdminChange.action == "user.erase")
    )
