"""Notifications and e-mails in their recipient's language and time zone (SPEC 16, issue 15).

Whoever's page triggers an event, each person it reaches reads about it in their own language
(the account's, else the portal's default) with times in their own zone; account e-mails asked
for on a page go out in the account's language, else the page's.
"""

from datetime import datetime

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.ideas import discussion
from portal.ideas import service as ideas
from portal.notify.digest import send_due_digests
from portal.notify.models import Notification, OutboxMessage
from portal.routing.deadlines import notify_deadlines
from tests.conftest import PASSWORD

GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}
ENGLISH = {"Accept-Language": "en-GB,en;q=0.8"}


def german(user, zone="Europe/Berlin"):
    user.language, user.timezone = "de", zone
    db.session.commit()
    return user


def mails_to(address) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "email", OutboxMessage.recipient == address
    ).order_by(OutboxMessage.id)))  # fmt: skip


def notes_of(user) -> list[Notification]:
    return list(db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    ))  # fmt: skip


def test_a_status_change_reaches_each_follower_in_their_language(app, make):
    staff = make.user(kind="staff", name="Stan Staff")
    greta = german(make.user(name="Greta"))
    eddie = make.user(name="Eddie")
    idea = make.idea(title="Quieter fans")
    for follower in (greta, eddie):
        ideas.follow_quietly(follower, idea)
    db.session.commit()
    # Staff change it from a German page: that language is theirs, not the followers'.
    with app.test_request_context("/", headers=GERMAN):
        ideas.change_status(staff, idea, "planned", "Next sprint.")
        db.session.commit()

    [greta_note] = notes_of(greta)
    assert greta_note.message == "Stan Staff hat den Status auf „Geplant“ gesetzt.\n\nNext sprint."
    [greta_mail] = mails_to(greta.email)
    assert greta_mail.subject == "Status geändert: Quieter fans"
    for text in ("Hallo Greta,", "„Quieter fans“", "Alle E-Mails abbestellen:",
                 "Ändern, wie oft wir schreiben:", "Sie erhalten dies, weil Sie"):  # fmt: skip
        assert text in greta_mail.body, text
    assert "Hello" not in greta_mail.body

    [eddie_note] = notes_of(eddie)
    assert eddie_note.message == "Stan Staff set the status to “Planned”.\n\nNext sprint."
    [eddie_mail] = mails_to(eddie.email)
    assert eddie_mail.subject == "Status changed: Quieter fans"
    assert "Hello Eddie," in eddie_mail.body and "Unsubscribe from all e-mail:" in eddie_mail.body
    assert "Hallo" not in eddie_mail.body


def test_one_comment_tells_a_german_author_and_an_english_mention_each_in_theirs(app, make):
    greta = german(make.user(name="Greta"))
    eddie = make.user(name="Eddie")
    rita = make.user(name="Rita Replier")
    idea = make.idea(title="Quieter fans")
    asked = discussion.add_comment(greta, idea, "Which fans?")
    db.session.commit()
    with app.test_request_context("/", headers=GERMAN):
        discussion.add_comment(rita, idea, f"The **big** ones, right @{eddie.handle}?",
                               parent_id=asked.id)  # fmt: skip
        db.session.commit()
    [reply] = [n for n in notes_of(greta) if n.event == "reply"]
    assert reply.message.startswith("Rita Replier hat geantwortet:\n\nThe big ones")
    assert mails_to(greta.email)[-1].subject == "Neue Antwort zu: Quieter fans"
    [mention] = notes_of(eddie)
    assert mention.message.startswith("Rita Replier mentioned you:\n\nThe big ones")
    assert mails_to(eddie.email)[-1].subject == "You were mentioned on: Quieter fans"


def test_a_daily_digest_in_german(app, make):
    greta = german(make.user(name="Greta"))
    greta.email_preference = "daily"
    idea = make.idea(title="Quieter fans")
    ideas.follow_quietly(greta, idea)
    db.session.commit()
    ideas.change_status(make.user(kind="staff", name="Stan"), idea, "under_review")
    db.session.commit()
    send_due_digests()  # (the outbox's drain may have sent it already)
    db.session.commit()
    [digest] = mails_to(greta.email)
    assert digest.subject == "Ihre tägliche Zusammenfassung: 1 Neuigkeit"
    assert digest.body.startswith("Hallo Greta,\n\nDas ist seit Ihrer letzten Zusammenfassung")
    assert "- Quieter fans: Stan hat den Status auf „In Prüfung“ gesetzt." in digest.body
    assert "Alle Benachrichtigungen:" in digest.body


def _register(client, address, headers):
    data = {"email": address, "display_name": "Nina", "password": PASSWORD,
            "confirm": PASSWORD, "kind": "customer"}  # fmt: skip
    response = client.post("/register", data=data, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]


def test_account_emails_in_the_pages_language_else_the_accounts(app, make, client):
    # A new account has no language yet: the page it registered on decides.
    _register(client, "nina@example.com", GERMAN)
    [verify] = mails_to("nina@example.com")
    assert verify.subject == "Bestätigen Sie Ihre E-Mail-Adresse"
    assert "Hallo Nina," in verify.body and "Bitte bestätigen Sie, dass nina@example.com" in (
        verify.body
    )
    _register(client.application.test_client(), "nora@example.com", ENGLISH)
    assert mails_to("nora@example.com")[0].subject == "Confirm your e-mail address"
    # A reset asked for on an English page, for an account that reads German: German.
    greta = german(make.user(name="Greta"))
    response = client.post("/login/forgot", data={"email": greta.email}, headers=ENGLISH)
    assert response.status_code == 200
    [reset] = mails_to(greta.email)
    assert reset.subject == "Neues Passwort wählen"
    assert "Jemand, hoffentlich Sie, möchte ein neues Passwort" in reset.body


@pytest.fixture
def team_with(make):
    def build(*members):
        team = make.team("First line")
        team.members.extend(members)
        team.answer_target_hours = 10
        team.business_hours = ('{"timezone": "UTC", "days": [0, 1, 2, 3, 4, 5, 6], '
                               '"start": "00:00", "end": "24:00"}')  # fmt: skip
        db.session.commit()
        return make.category(slug="home", team=team)

    return build


def test_an_answer_due_time_in_each_readers_zone(app, make, team_with):
    # In the future, so that the outbox's own drain (real time) sends no notice meanwhile.
    greta = german(make.user(kind="staff", name="Greta"), "Europe/Berlin")
    eddie = make.user(kind="staff", name="Eddie")
    idea = make.idea(category=team_with(greta, eddie), title="Quieter fans")
    idea.created_at = datetime(2030, 12, 6, 10, 0)
    idea.first_answer_due_at = datetime(2030, 12, 6, 20, 5)
    idea.answer_warn_at = datetime(2030, 12, 6, 18, 0)
    db.session.commit()
    assert notify_deadlines(now=datetime(2030, 12, 6, 18, 5)) == 1
    db.session.commit()
    [due] = [n for n in notes_of(greta) if n.event == "answer_due"]
    assert due.message == "Eine erste Antwort ist in 2 Stunden fällig (06.12.2030 21:05 MEZ)."
    assert mails_to(greta.email)[-1].subject == "Antwort bald fällig: Quieter fans"
    [due] = [n for n in notes_of(eddie) if n.event == "answer_due"]
    assert due.message == "A first answer is due in 2 hours (2030-12-06 20:05 UTC)."
    assert notify_deadlines(now=datetime(2030, 12, 6, 20, 6)) == 1
    db.session.commit()
    assert "(06.12.2030 21:05 MEZ) ist verstrichen" in notes_of(greta)[-1].message


def test_telling_many_followers_in_two_languages_reads_no_more(app, make, count_queries):
    staff = make.user(kind="staff", name="Stan")

    def status_change_with(followers: int) -> int:
        idea = make.idea()
        for n in range(followers):
            follower = make.user()
            if n % 2:
                german(follower, "Europe/Berlin" if n % 4 == 1 else "America/New_York")
            ideas.follow_quietly(follower, idea)
        db.session.commit()
        with count_queries() as queries:
            ideas.change_status(staff, idea, "planned", "Soon.")
            db.session.flush()
        db.session.commit()
        told = followers + 1  # and its author
        assert db.session.scalar(select(db.func.count(Notification.id)).where(
            Notification.idea_id == idea.id)) == told  # fmt: skip
        writes = [q for q in queries if q.lstrip().startswith("INSERT INTO notification")
                  or q.lstrip().startswith("INSERT INTO outbox_message")]  # fmt: skip
        # One row and one e-mail each (PostgreSQL sends them in batches): nothing more.
        assert 2 <= len(writes) <= 2 * told
        return len(queries) - len(writes)

    # Reads stay the same whether 5 or 13 people in two languages and three zones are told.
    assert status_change_with(4) == status_change_with(12)


def test_an_answer_to_someone_who_wrote_in_without_an_account_is_in_the_default(app, make):
    from portal.intake import service as intake

    staff = make.user(kind="staff", name="Stan")
    received = intake.receive(source="widget", sender_email="walk-in@example.com",
                              sender_name="Walk In", body="Please add dark mode.")  # fmt: skip
    db.session.commit()
    with app.test_request_context("/", headers=GERMAN):  # a German page answers
        intake.reply(staff, received.message, "Thanks, noted.")
        db.session.commit()
    [answer] = mails_to("walk-in@example.com")
    assert answer.subject == "Re: your message" and answer.body.startswith("Hello,\n\nThanks")
    # A sender with an account that reads German: German.
    greta = german(make.user(name="Greta"))
    received = intake.receive(source="widget", sender_email=greta.email, sender_name="Greta",
                              body="Bitte Dunkelmodus.", sender_verified=True)  # fmt: skip
    db.session.commit()
    intake.reply(staff, received.message, "Danke, notiert.")
    db.session.commit()
    [answer] = mails_to(greta.email)
    assert answer.subject == "Re: Ihre Nachricht" and answer.body.startswith("Hallo Greta,\n\n")


def test_no_translated_text_hides_inside_an_f_string():
    """Babel's extraction does not look into f-strings: `f"{_('Hi')}"` would stay English."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "portal"
    hidden = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FormattedValue) and isinstance(node.value, ast.Call):
                name = getattr(node.value.func, "id", None) or getattr(node.value.func, "attr", "")
                if name in {"_", "gettext", "ngettext", "_l", "lazy_gettext"}:
                    hidden.append(f"{path.relative_to(root)}:{node.lineno}")
    assert not hidden, hidden


# -- the messages services and access rules produce ------------------------------------------


def test_a_refusal_in_the_readers_language_and_the_api_keeps_english(app, make, client, login,
                                                                      token_for):  # fmt: skip
    idea = make.idea(title="Quieter fans")
    idea.status = "declined"
    db.session.commit()
    greta = german(make.user(name="Greta"))
    login(greta)
    response = client.post(f"/ideas/{idea.id}/vote", headers={"HX-Request": "true", **ENGLISH})
    assert response.status_code == 409
    assert "Diese Idee ist abgelehnt: Die Abstimmung ist geschlossen." in response.get_data(
        as_text=True
    )
    # A comment on a locked idea: the rule's refusal, on the page, in German.
    locked = make.idea()
    locked.locked = True
    db.session.commit()
    refused = client.post(f"/ideas/{locked.id}/comments", data={"body": "Gern."})
    assert refused.status_code == 409
    assert "Diese Idee ist gesperrt: Kommentare sind geschlossen." in refused.get_data(as_text=True)

    api = app.test_client()
    headers = token_for(make.user(name="Ann Api"))
    answer = api.post(f"/api/v1/ideas/{idea.id}/vote", headers=headers)
    assert answer.status_code == 409
    assert answer.get_json()["error"]["message"] == "This idea is declined: votes are closed."
    answer = api.post(f"/api/v1/ideas/{idea.id}/vote", headers={**headers, **GERMAN})
    assert answer.get_json()["error"]["message"] == (
        "Diese Idee ist abgelehnt: Die Abstimmung ist geschlossen."
    )
    long_comment = api.post(f"/api/v1/ideas/{make.idea().id}/comments", headers=headers,
                            json={"body": "x" * 10_001})  # fmt: skip
    assert long_comment.status_code == 422
    error = long_comment.get_json()["error"]
    assert error["message"] == "Comment: Must be at most 10000 characters."
    assert error["fields"] == {"body": ["Must be at most 10000 characters."]}


def test_a_suspension_ends_in_the_readers_own_zone(app, make, client, login):
    greta = german(make.user(name="Greta"), "Europe/Berlin")
    greta.suspended_until = datetime(2030, 12, 6, 20, 5)
    db.session.commit()
    login(greta)
    response = client.post(f"/ideas/{make.idea().id}/vote", headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert "Ihr Konto ist bis 06.12.2030 21:05 MEZ gesperrt" in response.get_data(as_text=True)
