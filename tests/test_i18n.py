"""The reader's language and time zone (SPEC 16): German and English, chosen by the account,
else the browser; times in the account's zone; every translatable text translated."""

import os
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from portal.extensions import db
from portal.i18n import SOURCE_DIR
from portal.ideas import discussion
from tests import i18n_scan
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[1]
GERMAN = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}
ENGLISH = {"Accept-Language": "en-GB,en;q=0.8"}


def test_the_browsers_language_when_the_account_has_none(client):
    german = client.get("/", headers=GERMAN).get_data(as_text=True)
    assert '<html lang="de"' in german and "Sagen Sie uns" in german and ">Anmelden<" in german
    english = client.get("/", headers=ENGLISH).get_data(as_text=True)
    assert '<html lang="en"' in english and "Tell us what would make" in english
    assert '<html lang="en"' in client.get("/").get_data(as_text=True)
    # A language the portal does not speak falls back to English.
    assert '<html lang="en"' in client.get("/", headers={"Accept-Language": "fr"}).get_data(
        as_text=True
    )


def test_cached_pages_for_visitors_keep_languages_apart(app, client):
    app.config["PAGE_CACHE_SECONDS"] = 60
    assert "Sagen Sie uns" in client.get("/", headers=GERMAN).get_data(as_text=True)
    response = client.get("/", headers=ENGLISH)
    assert "Tell us what would make" in response.get_data(as_text=True)
    assert "Accept-Language" in response.headers["Vary"]


def test_the_account_setting_wins_over_the_browser(app, make, client, login):
    user = make.user(name="Greta German")
    login(user)
    page = client.post("/account/profile", data={"display_name": "Greta German",
                                                 "email_preference": "instant",
                                                 "language": "de",
                                                 "timezone": "Europe/Berlin"},
                       headers=ENGLISH)  # fmt: skip
    assert page.status_code == 302
    db.session.refresh(user)
    assert (user.language, user.timezone) == ("de", "Europe/Berlin")
    html = client.get("/account", headers=ENGLISH).get_data(as_text=True)
    assert '<html lang="de" data-timezone="Europe/Berlin">' in html
    assert "Profil speichern" in html
    user.language = "en"
    db.session.commit()
    assert '<html lang="en"' in client.get("/", headers=GERMAN).get_data(as_text=True)


@pytest.mark.parametrize(
    "field, value, message",
    [("language", "fr", "Not a valid choice"), ("timezone", "Mars/Olympus", "Not a valid choice")],
)
def test_a_language_or_zone_that_does_not_exist_is_refused(make, client, login, field, value,
                                                           message):  # fmt: skip
    user = make.user()
    login(user)
    data = {"display_name": "Someone", "email_preference": "instant", "language": "",
            "timezone": "", field: value}  # fmt: skip
    response = client.post("/account/profile", data=data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.language is None and user.timezone is None


def test_times_are_shown_in_the_readers_zone_and_language(app, make, client, login):
    user = make.user(name="Berlin Reader")
    idea = make.idea(title="A timed idea")
    from datetime import datetime

    idea.created_at = datetime(2026, 12, 6, 21, 5)
    user.language, user.timezone = "de", "Europe/Berlin"
    db.session.commit()
    login(user, PASSWORD)
    html = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "06.12.2026 22:05 MEZ" in html
    user.language, user.timezone = "en", None
    db.session.commit()
    assert "2026-12-06 21:05 UTC" in client.get(f"/ideas/{idea.id}").get_data(as_text=True)


def _translatable() -> set:
    method_map = [("portal/**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT),
        method_map,
        keywords=keywords,
        options_map={"templates/**.html": {}},
        # Babel skips folders starting with "_" unless told otherwise: templates/_macros.
        directory_filter=lambda path: not os.path.basename(path).startswith("."),
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_translatable_text_has_its_german_translation():
    with (SOURCE_DIR / "de" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale="de")
    translated = {}
    for message in catalog:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        translated[key] = all(strings) and not message.fuzzy
    texts = _translatable()
    assert texts, "nothing was extracted: is babel's extraction set up?"
    missing = sorted(t for t in texts if not translated.get(t))
    assert not missing, "untranslated in German (run `make translations`):\n" + "\n".join(missing)


# -- the idea list, an idea page, the new-idea form and sign-in in German ---------------------


def _page(client, path, headers, status=200) -> str:
    response = client.get(path, headers=headers)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    return response.get_data(as_text=True)


# Templates a German reader still meets in English. This set only shrinks: the test below
# fails when a template here has become clean (take it off) or one not here has English.
NOT_YET_IN_GERMAN = {
    "accounts/_verify_banner.html",
    "accounts/account.html",
    "accounts/confirm_email_change.html",
    "accounts/delete.html",
    "accounts/forgot.html",
    "accounts/forgot_sent.html",
    "accounts/invalid_link.html",
    "accounts/logout.html",
    "accounts/registered.html",
    "accounts/reset.html",
    "accounts/sso_error.html",
    "accounts/verify.html",
    "admin/_pending.html",
    "admin/_team_members.html",
    "admin/approvals.html",
    "admin/category.html",
    "admin/index.html",
    "admin/log.html",
    "admin/organization.html",
    "admin/team.html",
    "admin/webhooks.html",
    "api/reference.html",
    "base.html",
    "errors/error.html",
    "errors/unavailable.html",
    "ideas/_similar.html",
    "ideas/_staff_notes.html",
    "ideas/detail.html",
    "ideas/edit.html",
    "ideas/edit_comment.html",
    "ideas/edit_staff_note.html",
    "ideas/history.html",
    "ideas/tombstone.html",
    "notify/_badge.html",
    "notify/centre.html",
    "notify/unsubscribe.html",
    "people/_my_list.html",
    "people/_pager.html",
    "people/my.html",
    "people/person.html",
    "privacy.html",
    "search/_results.html",
    "search/search.html",
    "tracking/_item_card.html",
    "tracking/_related_picks.html",
    "tracking/changelog.html",
    "tracking/item.html",
    "tracking/roadmap.html",
}


def test_no_template_speaks_english_to_a_german_reader():
    """Text, read attributes and sentence-like constants outside `_()` (tests/i18n_scan.py)."""
    found = i18n_scan.report()
    english = {name: texts for name, texts in found.items() if name not in NOT_YET_IN_GERMAN}
    assert not english, "English for a German reader (wrap it in _()):\n" + "\n".join(
        f"{name}: {texts}" for name, texts in sorted(english.items())
    )
    now_clean = sorted(NOT_YET_IN_GERMAN - found.keys())
    assert not now_clean, f"translated now, take off NOT_YET_IN_GERMAN: {now_clean}"


# Python modules whose flashes, form labels or messages are still plain English (shrinks too).
PYTHON_NOT_YET_IN_GERMAN = {
    "portal/accounts/forms.py",
    "portal/accounts/service.py",
    "portal/accounts/views.py",
    "portal/admin/service.py",
    "portal/ideas/discussion.py",
    "portal/ideas/forms.py",
    "portal/ideas/note_views.py",
    "portal/ideas/notes.py",
    "portal/ideas/views.py",
    "portal/intake/service.py",
    "portal/moderation/service.py",
    "portal/notify/views.py",
    "portal/replies/service.py",
    "portal/routing/service.py",
    "portal/tracking/forms.py",
    "portal/tracking/views.py",
}


def test_no_flash_label_or_message_in_python_is_plain_english():
    found = i18n_scan.report_python()
    english = {name: texts for name, texts in found.items() if name not in PYTHON_NOT_YET_IN_GERMAN}
    assert not english, "English for a German reader (wrap it in _() or _l()):\n" + "\n".join(
        f"{name}: {texts}" for name, texts in sorted(english.items())
    )
    now_clean = sorted(PYTHON_NOT_YET_IN_GERMAN - found.keys())
    assert not now_clean, f"translated now, take off PYTHON_NOT_YET_IN_GERMAN: {now_clean}"


def test_a_german_reader_reads_the_idea_list_in_german(make, client):
    idea = make.idea(title="Quieter fans", kind="problem")
    make.idea(title="Brighter lamps")
    discussion.add_comment(make.user(), idea, "Me too.")
    db.session.commit()
    german = _page(client, "/ideas", GERMAN)
    for text in ("<h1>Ideen</h1>", "Alle Kategorien", "Jeder Status", "Jede Art", ">Im Trend<",
                 ">Meistdiskutiert<", "2 Ideen", "1 Kommentar<", "0 Kommentare<", ">Offen<",
                 ">Problem<", ">Idee<", "Stimmen: zum Abstimmen anmelden",
                 'title="Zum Abstimmen anmelden"', "dieser Ideen"):  # fmt: skip
        assert text in german, text
    assert "All categories" not in german and "comments" not in german
    english = _page(client, "/ideas", ENGLISH)
    for text in ("<h1>Ideas</h1>", "All categories", "Any status", ">Trending<", "2 ideas",
                 "1 comment<", "0 comments<", ">Open<", ">Problem<", "votes: sign in to vote",
                 "of these ideas"):  # fmt: skip
        assert text in english, text
    assert "Kommentar" not in english


def test_a_german_reader_reads_an_idea_page_with_a_comment(make, client, login):
    idea = make.idea(title="Quieter fans")
    discussion.add_comment(make.user(name="Carla Commenter"), idea, "Yes, **please**.")
    db.session.commit()
    path = f"/ideas/{idea.id}"
    visitor = _page(client, path, GERMAN)
    for text in ("Diskussion", "Carla Commenter", "<strong>please</strong>", "Verlauf", ">Offen<",
                 "</a>, um mitzudiskutieren.", "Stimmen: zum Abstimmen anmelden"):  # fmt: skip
        assert text in visitor, text
    assert "to join the discussion" in _page(client, path, ENGLISH)

    reader = make.user(name="Greta German")
    reader.language = "de"
    db.session.commit()
    login(reader)
    german = _page(client, path, ENGLISH)  # the account's language wins
    for text in ("Kommentar veröffentlichen", "Ihr Kommentar", "Markdown funktioniert.",
                 ">Antworten<", "Ihre Antwort", "Folgen", 'title="Für diese Idee stimmen"',
                 "Stimmen: für „Quieter fans“ stimmen", "<summary>Melden</summary>",
                 "Warum sollte sich die Moderation das ansehen?"):  # fmt: skip
        assert text in german, text
    response = client.post(f"{path}/comments", data={"body": "Gern."})
    assert response.status_code == 302
    assert "Ihr Kommentar ist veröffentlicht." in _page(client, response.headers["Location"],
                                                        ENGLISH)  # fmt: skip
    reader.language = "en"
    db.session.commit()
    english = _page(client, path, GERMAN)
    for text in ("Post comment", "Your comment", ">Reply<", 'title="Vote for this idea"',
                 "votes: vote for “Quieter fans”", "Discussion"):  # fmt: skip
        assert text in english, text


def test_the_new_idea_form_and_its_errors_in_german(make, client, login):
    category = make.category()
    reader = make.user()
    login(reader)
    german = _page(client, "/ideas/new", GERMAN)
    for text in ("Idee teilen</h1>", "Titel", "Ähnliche Ideen", "Bilder oder Dateien",
                 "Kategorie", ">Art<", ">Verbesserung<", "Idee veröffentlichen",
                 "Ein Satz, der sagt, was Sie sich wünschen"):  # fmt: skip
        assert text in german, text
    data = {"title": "", "body": "", "category": category.slug, "kind": "idea"}
    refused = client.post("/ideas/new", data=data, headers=GERMAN)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Dieses Feld wird benötigt." in html and "Idee veröffentlichen" in html
    english = client.post("/ideas/new", data=data, headers=ENGLISH).get_data(as_text=True)
    assert "This field is required." in english and "Post idea" in english
    assert "Similar ideas" in english and "Share an idea" in english


def test_signing_in_in_german(make, client):
    user = make.user(name="Greta German")
    wrong = client.post("/login", data={"email": user.email, "password": "not-it"},
                        headers=GERMAN)  # fmt: skip
    html = wrong.get_data(as_text=True)
    assert "E-Mail-Adresse oder Passwort ist nicht richtig." in html
    assert "Passwort vergessen?" in html and "Angemeldet bleiben" in html and "Neu hier?" in html
    english = client.post("/login", data={"email": user.email, "password": "not-it"},
                          headers=ENGLISH).get_data(as_text=True)  # fmt: skip
    assert "E-mail or password is not right." in english and "Forgot your password?" in english
    right = client.post("/login", data={"email": user.email, "password": PASSWORD},
                        headers=GERMAN)  # fmt: skip
    assert right.status_code == 302
    assert "Willkommen zurück, Greta German." in _page(client, "/", GERMAN)
    register = _page(client.application.test_client(), "/register", GERMAN)
    assert "Legen Sie Ihr Konto an" in register and "Passwort wiederholen" in register


def test_the_api_and_feeds_keep_machine_values_whatever_the_language(make, client, token_for):
    reader = make.user()
    idea = make.idea(title="Quieter fans", kind="problem")
    headers = token_for(reader)
    answers = {}
    for name, language in (("de", GERMAN), ("en", ENGLISH)):
        listed = client.get("/api/v1/ideas", headers={**headers, **language})
        one = client.get(f"/api/v1/ideas/{idea.id}", headers={**headers, **language})
        categories = client.get("/api/v1/categories", headers={**headers, **language})
        assert listed.status_code == one.status_code == categories.status_code == 200
        answers[name] = (listed.get_json(), one.get_json(), categories.get_json())
    assert answers["de"] == answers["en"]
    assert (answers["de"][1]["status"], answers["de"][1]["kind"]) == ("open", "problem")
    # Feeds are not translated yet: one public URL reads the same to every feed reader.
    feed = client.get("/ideas.atom?status=open", headers=GERMAN).get_data(as_text=True)
    assert "Ideas · Open" in feed and "Offen" not in feed


# -- the pages moderators, staff and admins use, in German ------------------------------------


def _german_reader(make, login, **kwargs):
    reader = make.user(**kwargs)
    reader.language = "de"
    db.session.commit()
    login(reader)
    return reader


def test_the_review_queue_in_german(make, client, login):
    from portal.moderation import service as moderation

    idea = make.idea(title="Cheap watches")
    for _ in range(2):
        moderation.flag(make.user(), "idea", idea.id, "off_topic", note="Not about us")
    db.session.commit()
    _german_reader(make, login, kind="staff", role="moderator")
    german = _page(client, "/moderation", ENGLISH)
    for text in ("<h1>Prüfliste</h1>", "Moderationsprotokoll →", "1 wartet", "Idee #",
                 "2 Meldungen", "<strong>Themenfremd</strong> von", "Begründung (öffentlich",
                 ">Meldungen abweisen<", ">Ausblenden<", ">Sperren<",
                 "In eine andere Idee zusammenführen…"):  # fmt: skip
        assert text in german, text
    for english in ("Review queue", "waiting", "flags<", "off topic", "Dismiss the flags",
                    "Reason (public"):  # fmt: skip
        assert english not in german, english
    done = client.post("/moderation/actions", data={
        "target_type": "idea", "target_id": idea.id, "action": "hide", "reason": "Werbung."},
        headers={"HX-Request": "true"})  # fmt: skip
    html = done.get_data(as_text=True)
    assert done.status_code == 200
    assert "Erledigt: <strong>Ausblenden</strong> bei Idee #" in html and "Done" not in html


def test_the_public_moderation_log_in_german_with_the_portals_own_reasons(app, make, client):
    from portal.moderation import service as moderation

    moderator = make.user(kind="staff", role="moderator", name="Mo Derator")
    typed = make.idea(title="Spam link")
    held = make.idea(title="Held idea")
    moderation.act(moderator, "lock", "idea", typed.id, "Reason as typed")
    app.config["FLAGS_TO_HIDE"] = 3
    for _ in range(3):
        moderation.flag(make.user(), "idea", held.id, "spam")
    db.session.commit()
    german = _page(client, "/moderation/log", GERMAN)
    for text in ("<h1>Moderationsprotokoll</h1>", ">Wann<", ">Warum<", "Gesperrt", "Spam link",
                 "Reason as typed", "Das Portal (automatisch zurückgehalten)",
                 "Zur Prüfung zurückgehalten: von 3 Personen gemeldet.", "Idee #"):  # fmt: skip
        assert text in german, text
    for english in ("Every moderation action", "Locked", "The portal", "Held for review",
                    ">When<"):  # fmt: skip
        assert english not in german, english
    english = _page(client, "/moderation/log", ENGLISH)
    assert "Held for review: flagged by 3 people." in english and "Locked" in english
    assert "The portal (automatic hold)" in english and "Reason as typed" in english


def test_staff_triage_and_the_dashboard_in_german(make, client, login):
    from datetime import timedelta

    from portal.timeutil import utcnow

    team = make.team("Kitchen")
    idea = make.idea(title="Quieter fans", category=make.category(team=team))
    idea.created_at = utcnow() - timedelta(hours=3, minutes=5)
    db.session.commit()
    staff = _german_reader(make, login, kind="staff")
    team.members.append(staff)
    db.session.commit()
    triage = _page(client, "/staff/triage", ENGLISH)
    for text in ("<h1>Sichtung</h1>", "Wartet auf eine erste Antwort der Mitarbeitenden",
                 "Ideen, die Kitchen zugeordnet", ">3 Stunden</time>", "Quieter fans",
                 "Vielversprechend, noch nicht übernommen", ">Stimmen<"):  # fmt: skip
        assert text in triage, text
    for english in ("Waiting for a first", "Ideas routed to", "hours</time>", "Promising"):
        assert english not in triage, english
    dashboard = _page(client, "/staff", ENGLISH)
    for text in ("<h1>Übersicht für Mitarbeitende</h1>", "Ideen pro Woche", "Textbausteine",
                 "Von 1 Ideen wurden 0 (0%) als Verbesserungsvorhaben übernommen",
                 "Daten anzeigen", "Wochen ab Montag (UTC)", "Noch keine Idee hat eine Antwort",
                 ">Kunden<"):  # fmt: skip
        assert text in dashboard, text
    for english in ("Staff dashboard", "Ideas per week", "Show the data", "were promoted",
                    ">Customers<"):  # fmt: skip
        assert english not in dashboard, english
    english = _page(client.application.test_client(), "/responsiveness", ENGLISH)
    assert "How fast we answer" in english
    assert "<h1>Wie schnell wir antworten</h1>" in _page(client, "/responsiveness", ENGLISH)


def test_routing_rules_in_german(make, client, login):
    from portal.routing import service as routing

    team = make.team("Kitchen")
    admin = _german_reader(make, login, kind="staff", role="admin")
    routing.create_rule(admin, {"name": "Refunds", "team_id": team.id,
                                "conditions": {"kind": "problem", "words": "refund"}})  # fmt: skip
    db.session.commit()
    german = _page(client, "/admin/routing", ENGLISH)
    for text in ("<h1>Zuordnung</h1>", "Die Regeln werden von oben", "Refunds", "Art: Problem",
                 "Wörter: refund", "Wenn all dies zutrifft", ">Regel speichern<",
                 "Teams: Zuweisung und Antwortziele", ">Warteschlange des Teams<", "> Mo.</label>",
                 'placeholder="Keine Zusage"', "Kitchen speichern"):  # fmt: skip
        assert text in german, text
    for english in ("Rules are tried", "When all of these hold", "Save rule", "> Mon</label>",
                    "kind: problem"):  # fmt: skip
        assert english not in german, english
    refused = client.post("/admin/routing/rules", data={"name": "", "team_id": team.id})
    assert refused.status_code == 422 and "Nicht gespeichert" in refused.get_data(as_text=True)


def _intake_desk(make, login):
    from portal.intake import service as intake

    team = make.team("Billing")
    make.category(slug="billing", team=team)
    agent = _german_reader(make, login, kind="staff")
    team.members.append(agent)
    db.session.commit()
    message = intake.receive(source="email", sender_email="jane@example.com",
                             sender_name="Jane", subject="Invoice trouble",
                             body="The invoice is wrong.").message  # fmt: skip
    db.session.commit()
    return team, message


def test_the_intake_inbox_and_a_message_in_german(make, client, login):
    _team, message = _intake_desk(make, login)
    inbox = _page(client, "/staff/inbox", ENGLISH)
    for text in ("<h1>Posteingang</h1>", "1 Nachricht<", "Invoice trouble", ">Meine Teams<",
                 "Von <strong>Jane</strong> &lt;jane@example.com&gt;", "Adresse nicht bestätigt",
                 "Einer Idee zuordnen", "In eine neue Idee umwandeln", "Per E-Mail antworten",
                 ">Verwerfen<", ">Offen<"):  # fmt: skip
        assert text in inbox, text
    for english in ("1 message", "My teams", "Attach to an idea", "Reply by e-mail", "received",
                    "address not verified"):  # fmt: skip
        assert english not in inbox, english
    page = _page(client, f"/staff/inbox/{message.id}", ENGLISH)
    assert "← Posteingang" in page and "Invoice trouble · Posteingang" in page
    refused = client.post(f"/staff/inbox/{message.id}/dismiss", data={"reason": ""})
    assert refused.status_code == 302
    assert "Nicht ausgeführt" in _page(client, refused.headers["Location"], ENGLISH)
    done = client.post(f"/staff/inbox/{message.id}/dismiss", data={"reason": "Spam"},
                       headers={"HX-Request": "true"})  # fmt: skip
    html = done.get_data(as_text=True)
    assert "Verworfen." in html and "Verworfen: Spam" in html and "Dismissed" not in html


def test_the_widget_follows_the_readers_language(app, make, client):
    german = _page(client, "/widget", GERMAN)
    for text in ('<html lang="de">', "Sagen Sie uns Ihre Meinung", "Ihr Feedback",
                 "Ihre E-Mail-Adresse", "Ihr Name (optional)", ">Feedback senden<"):  # fmt: skip
        assert text in german, text
    assert "Tell us what you think" not in german and "Your feedback" not in german
    english = _page(client, "/widget", ENGLISH)
    assert '<html lang="en">' in english and "Tell us what you think" in english
    own = {"Origin": "http://localhost"}
    missing = client.post("/widget", data={"body": "Gern mehr davon", "email": ""},
                          headers={**GERMAN, **own})  # fmt: skip
    assert missing.status_code == 422
    assert "Ihre E-Mail-Adresse, damit wir antworten können." in missing.get_data(as_text=True)
    thanks = client.post("/widget", data={"body": "Gern mehr davon", "email": "a@example.com"},
                         headers={**GERMAN, **own}).get_data(as_text=True)  # fmt: skip
    assert "Vielen Dank" in thanks and "Ihr Feedback ist beim Team angekommen." in thanks
    assert "Thank you" not in thanks


def test_saved_replies_in_german(make, client, login):
    team, message = _intake_desk(make, login)
    created = client.post("/staff/saved-replies", data={"team_id": team.id, "title": "Danke",
                                                  "body": "Danke für Ihre Nachricht."})  # fmt: skip
    assert created.status_code == 302
    index = _page(client, created.headers["Location"], ENGLISH)
    for text in ("<h1>Textbausteine</h1>", "Textbaustein „Danke“ zu Billing hinzugefügt.",
                 "Neuer Textbaustein", "Woran Mitarbeitende ihn erkennen", ">Löschen<",
                 ">Textbaustein speichern<"):  # fmt: skip
        assert text in index, text
    for english in ("Saved replies", "New saved reply", "added to", "What staff pick it by"):
        assert english not in index, english
    picker = _page(client, f"/staff/inbox/{message.id}", ENGLISH)
    assert ">Textbaustein<" in picker and ">Einfügen<" in picker and ">Insert<" not in picker


def test_the_admin_user_page_in_german(make, client, login):
    supplier = make.user(kind="supplier", approved=False, name="Sam Supplier")
    _german_reader(make, login, kind="staff", role="admin")
    people = _page(client, "/admin/users", ENGLISH)
    for text in ("<h1>Personen</h1>", "Name oder E-Mail-Adresse", ">Jede Rolle<",
                 "wartet auf Freischaltung", ">Setzen<", ">Mitglied<"):  # fmt: skip
        assert text in people, text
    assert "Any role" not in people and "waiting for approval" not in people
    page = _page(client, f"/admin/users/{supplier.id}", ENGLISH)
    for text in ("Lieferant bei <a", "Wartet auf Freischaltung als Lieferant von",
                 ">Freischalten<", "Ablehnen…", "<h2 id=\"suspension-title\" class=\"h4\">Sperre",
                 "Nicht gesperrt.", "Sperren…", "Begründung (öffentlich", ">Konto<",
                 "Nur Lieferanten: das Unternehmen", "Änderungen", ">Speichern<"):  # fmt: skip
        assert text in page, text
    for english in ("Waiting for approval", "Not suspended", "Suppliers only", "registered",
                    ">Save<", "supplier at"):  # fmt: skip
        assert english not in page, english
    approved = client.post(f"/admin/users/{supplier.id}/approve", data={})
    assert approved.status_code == 302
    after = _page(client, f"/admin/users/{supplier.id}", ENGLISH)
    assert "Sam Supplier ist freigeschaltet und wird benachrichtigt." in after
    assert "Lieferant freigeschaltet" in after  # the admin log's wording, in German
