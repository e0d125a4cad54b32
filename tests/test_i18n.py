"""The reader's language and time zone (SPEC 16): German and English, chosen by the account,
else the browser; times in the account's zone; every translatable text translated."""

import io
import os
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from portal.extensions import db
from portal.i18n import SOURCE_DIR
from portal.ideas import discussion
from tests import i18n_scan
from tests.conftest import PASSWORD, make_test_app

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


def test_every_german_text_fills_in_what_its_english_one_does():
    """A translation that names a placeholder its source lacks raises KeyError when shown
    (a 500 for German readers only); one that drops a value says less. Babel's own checks
    (format and plural forms) and the named placeholders, compared."""
    with (SOURCE_DIR / "de" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale="de")
    problems = [f"{message.id!r}: {error}" for message, errors in catalog.check()
                for error in errors]  # fmt: skip
    placeholder = re.compile(r"%\((\w+)\)s")
    for message in catalog:
        if not message.id:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set(placeholder.findall(" ".join(sources)))
        for text in message.string if isinstance(message.string, tuple) else (message.string,):
            named = set(placeholder.findall(text))
            # A singular may leave out %(num)s ("Eine Idee"); nothing else may go or be added.
            if named - wanted or wanted - named - {"num"}:
                problems.append(f"{sources[0]!r}: {sorted(wanted)} but {sorted(named)}")
    assert not problems, "\n".join(problems)


# -- the idea list, an idea page, the new-idea form and sign-in in German ---------------------


def _page(client, path, headers, status=200) -> str:
    response = client.get(path, headers=headers)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    return response.get_data(as_text=True)


def test_no_template_speaks_english_to_a_german_reader():
    """Text, read attributes and sentence-like constants outside `_()` (tests/i18n_scan.py)."""
    found = i18n_scan.report()
    assert not found, "English for a German reader (wrap it in _()):\n" + "\n".join(
        f"{name}: {texts}" for name, texts in sorted(found.items())
    )


def test_no_flash_label_or_message_in_python_is_plain_english():
    found = i18n_scan.report_python()
    assert not found, "English for a German reader (wrap it in _() or _l()):\n" + "\n".join(
        f"{name}: {texts}" for name, texts in sorted(found.items())
    )


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


# -- the account, notifications, search, roadmap, changelog, people, privacy and errors -------


def _german_reader(make, login, **fields):
    reader = make.user(**{"name": "Greta German", **fields})
    reader.language = "de"
    db.session.commit()
    login(reader)
    return reader


def _assert_german(html: str, german: tuple, english: tuple) -> None:
    for text in german:
        assert text in html, text
    for text in english:
        assert text not in html, text


def test_the_account_page_in_german(make, client, login):
    _german_reader(make, login)
    html = _page(client, "/account", ENGLISH)  # the account's language wins
    _assert_german(
        html,
        ("<h1>Ihr Konto</h1>", "Profil speichern", "Passwort ändern", "API-Tokens",
         "Token erstellen", "Noch keine Tokens.", "Meine Daten herunterladen", "Ihre Daten",
         "Mein Konto löschen", "Aktuelles Passwort", "Neue E-Mail-Adresse", " · Kunde\n"),
        ("Your account", "Change password", "Create token", "Download my data",
         "Erase my account", "Current password", "Customer"),
    )  # fmt: skip
    # The flash after saving, and an account's erasure page.
    response = client.post("/account/tokens/1/revoke", data={}, headers=ENGLISH)
    assert response.status_code in (302, 400, 404)
    erase = _page(client, "/account/delete", ENGLISH)
    _assert_german(erase, ("Ihr Konto löschen", "Was gelöscht wird", "Was bleibt",
                           "Mein Konto behalten"), ("What goes", "Keep my account"))  # fmt: skip
    english = _page(client.application.test_client(), "/privacy", ENGLISH)
    assert "Your data on this portal" in english


def test_the_notification_centre_in_german(make, client, login):
    from portal.notify.models import Notification
    from portal.notify.service import notify

    reader = _german_reader(make, login)
    idea = make.idea(title="Quieter fans")
    notify([reader], "status_changed", idea, "Planned now.")
    db.session.commit()
    html = _page(client, "/notifications", ENGLISH)
    _assert_german(
        html,
        ("<h1>Benachrichtigungen</h1>", "Alle als gelesen markieren", ">Status geändert<",
         ">Als gelesen markieren<", 'title="1 ungelesen"'),
        ("Mark all read", "Status changed", ">Mark read<", "1 unread"),
    )  # fmt: skip
    db.session.execute(db.delete(Notification))
    db.session.commit()
    empty = _page(client, "/notifications", ENGLISH)
    assert "Noch nichts. Folgen Sie Ideen" in empty and "Nothing yet" not in empty


def test_search_results_and_an_empty_search_in_german(make, client):
    make.idea(title="Quieter fans for the oven", body="The fan hums.")
    db.session.commit()
    found = _page(client, "/search?q=quieter", GERMAN)
    _assert_german(
        found,
        ("<h1>Suche</h1>", "1 Treffer", "Ideen und Kommentare durchsuchen",
         "Beste Übereinstimmung", "Meiste Stimmen", "1 Stimme ·", "Quieter fans for the oven",
         "Tipp:"),
        ("1 result", "Best match", "Most votes", "1 vote", "Tip:"),
    )  # fmt: skip
    nothing = _page(client, "/search?q=zebracrossing", GERMAN)
    _assert_german(nothing, ("0 Treffer", "Nichts gefunden. Versuchen Sie es mit weniger"),
                   ("Nothing found", "0 results"))  # fmt: skip
    blank = _page(client, "/search", GERMAN)
    assert "Geben Sie ein paar Wörter ein" in blank and "Type a few words" not in blank
    english = _page(client, "/search?q=quieter", ENGLISH)
    assert "1 result<" in english and "1 vote ·" in english and "Best match" in english


def _shipped_item(make, title="Quiet mode"):
    from portal.tracking import service as tracking

    staff = make.user(kind="staff", name="Sam Staff")
    idea = make.idea(title="Quieter fans")
    item = tracking.promote(staff, [idea.id], title=title)
    tracking.promote(staff, [make.idea(title="Brighter lamps").id], title="Lamps")
    db.session.commit()
    return staff, item, idea


def test_the_roadmap_and_an_item_in_german(make, client):
    _staff, item, idea = _shipped_item(make)
    html = _page(client, "/roadmap", GERMAN)
    _assert_german(
        html,
        ("<h1>Roadmap</h1>", ">Geplant <", ">In Arbeit <", ">Ausgeliefert <", "1 Idee",
         "Hier ist noch nichts.", "Alle Kategorien", "Woran wir arbeiten"),
        ("In progress", "Shipped", "Nothing here yet", "1 idea", "What we are working on"),
    )  # fmt: skip
    page = _page(client, f"/items/{item.id}", GERMAN)
    _assert_german(page, ("Ideen, die es beantwortet", ">Geplant<", "von Sam Staff"),
                   ("Ideas it answers", ">Planned<", " by Sam Staff"))  # fmt: skip
    idea_page = _page(client, f"/ideas/{idea.id}", GERMAN)
    assert "(Geplant)" in idea_page and "(planned)" not in idea_page
    english = _page(client, "/roadmap", ENGLISH)
    assert ">Planned <" in english and "1 idea" in english and "Nothing here yet." in english


def test_the_changelog_in_german(make, client):
    from datetime import datetime

    from portal.tracking import service as tracking

    staff, item, _idea = _shipped_item(make)
    tracking.update_item(staff, item, status="in_progress")
    tracking.update_item(staff, item, status="shipped")
    item.shipped_at = datetime(2026, 3, 14, 12, 0)
    db.session.commit()
    html = _page(client, "/changelog", GERMAN)
    _assert_german(
        html,
        ("<h1>Neuerungen</h1>", "März 2026", "Beantwortet:", "Quiet mode",
         "Verbesserungen, die wir ausgeliefert haben", 'title="Neuerungen (Atom-Feed)"'),
        ("March 2026", "Answers:", "Improvements we shipped"),
    )  # fmt: skip
    english = _page(client, "/changelog", ENGLISH)
    assert "March 2026" in english and "Answers:" in english


def test_a_person_page_and_my_portal_in_german(make, client, login):
    author = make.user(name="Carla Kowalski")
    make.idea(author=author, title="Quieter fans")
    db.session.commit()
    html = _page(client, f"/people/{author.handle}", GERMAN)
    _assert_german(html, ("Carla Kowalski", "Kunde", "Mitglied seit", "Ideen (1)",
                          "Quieter fans"), ("Customer ·", "member since"))  # fmt: skip
    _german_reader(make, login)
    mine = _page(client, "/my", ENGLISH)
    _assert_german(
        mine,
        ("<h1>Mein Portal</h1>", "Meine Ideen", "Meine Stimmen", "Kontoeinstellungen",
         "Sie haben noch keine Idee veröffentlicht."),
        ("My portal", "My votes", "You have not posted"),
    )  # fmt: skip


def test_the_privacy_page_in_german(client):
    html = _page(client, "/privacy", GERMAN)
    _assert_german(
        html,
        ("Ihre Daten in diesem Portal", "Was wir speichern und warum", "Wie lange",
         "Nehmen Sie Ihre Daten mit", "<strong>Ihr Konto</strong>", "Moderationsprotokoll",
         "<title>Datenschutz · Northwind Portal</title>"),
        ("What we keep", "For how long", "Take your data with you", "Your account"),
    )  # fmt: skip


def test_a_missing_page_says_so_in_german_and_the_api_in_english(client):
    html = _page(client, "/no-such-page", GERMAN, status=404)
    _assert_german(
        html,
        ("<h1>Nicht gefunden</h1>", "Unter dieser Adresse gibt es nichts.", "Zurück zum Portal",
         "<title>Nicht gefunden · Northwind Portal</title>"),
        ("Not found", "The requested URL", "Back to the portal"),
    )  # fmt: skip
    english = _page(client, "/no-such-page", ENGLISH, status=404)
    assert "<h1>Not found</h1>" in english and "There is nothing at this address." in english
    api = client.get("/api/v1/no-such-thing", headers=GERMAN)
    assert api.status_code == 404
    assert api.get_json()["error"]["code"] == "not_found"
    assert "Nicht" not in api.get_data(as_text=True)


def test_the_brand_comes_from_the_settings(app, client):
    app.config.update(PORTAL_NAME="Acme Ideas", COMPANY_NAME="Acme Ovens")
    html = _page(client, "/", GERMAN)
    assert "Sagen Sie uns, was Acme Ovens besser machen würde" in html
    assert "· Acme Ideas</title>" in html and "Acme Ovens ·" in html
    assert "Northwind" not in html
    feed = client.get("/ideas.atom").get_data(as_text=True)
    assert "Acme Ideas" in feed and "Northwind" not in feed


# -- the 429 page and the services' own messages (files) ---------------------------------------


def test_too_many_sign_ins_say_so_in_german_with_when_to_try_again(database_url, make):
    # Rate limits are off in tests; an app with them on (the limiter object is global: made
    # last, and its engine let go after).
    limited = make_test_app(database_url, RATELIMIT_ENABLED=True,
                            LOGIN_LIMIT_PER_ACCOUNT="1 per minute")  # fmt: skip
    try:
        user = make.user(email="greta@example.com")
        client = limited.test_client()
        wrong = {"email": user.email, "password": "not-it"}
        assert client.post("/login", data=wrong, headers=GERMAN).status_code == 200
        german = client.post("/login", data=wrong, headers=GERMAN)
        html = german.get_data(as_text=True)
        assert german.status_code == 429 and int(german.headers["Retry-After"]) > 0
        _assert_german(
            html,
            ("<h1>Zu viele Anfragen</h1>",
             "Zu viele Anfragen: zu viele fehlgeschlagene Anmeldungen für dieses Konto."),
            ("Too many", "try again", "failed sign-ins"),
        )  # fmt: skip
        assert re.search(r"Bitte versuchen Sie es in \d+ (Sekunden?|Minuten?) noch einmal\.", html)
        english = client.post("/login", data=wrong, headers=ENGLISH).get_data(as_text=True)
        assert "Too many requests: too many failed sign-ins for this account." in english
        assert re.search(r"Please try again in \d+ (second|minute)", english)
    finally:
        with limited.app_context():
            db.engine.dispose()


def test_a_lying_file_is_refused_in_german_and_the_api_keeps_its_english(make, client, login,
                                                                        token_for):  # fmt: skip
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

    def upload(path, headers):
        return client.post(path, data={"file": (io.BytesIO(pdf), "photo.png")}, headers=headers,
                           content_type="multipart/form-data")  # fmt: skip

    author = make.user(name="Greta German")
    category = make.category()
    headers = token_for(author)
    login(author)
    page_script = upload("/files", GERMAN)  # the idea and comment forms' upload
    assert page_script.status_code == 422
    assert page_script.get_json()["error"]["message"] == (
        "„photo.png“ ist als PNG benannt, aber der Inhalt ist PDF: Benennen Sie die Datei um "
        "oder laden Sie die echte Datei hoch."
    )
    form = client.post("/ideas/new", data={
        "title": "A picture says it", "body": "See the file.", "category": category.slug,
        "kind": "idea", "files": [(io.BytesIO(pdf), "photo.png")]},
        headers=GERMAN, content_type="multipart/form-data")  # fmt: skip
    assert form.status_code == 422
    assert "photo.png: „photo.png“ ist als PNG benannt" in form.get_data(as_text=True)

    api = upload("/api/v1/files", {**headers})  # no Accept-Language: the API's English
    assert api.status_code == 422
    error = api.get_json()["error"]
    assert error["code"] == "validation" and error["message"] == (
        "“photo.png” is named as PNG, but its contents are PDF: rename it or upload the real file."
    )
    assert error["fields"]["file"] == [error["message"]]
    german = upload("/api/v1/files", {**headers, **GERMAN}).get_json()["error"]
    assert german["message"].startswith("„photo.png“ ist als PNG benannt")
    empty = client.post("/api/v1/files", data={}, headers=headers).get_json()["error"]
    assert empty["message"] == "Send the file as multipart/form-data, in a part named `file`."
