"""The reader's language and time zone (SPEC 16): German and English, chosen by the account,
else the browser; times in the account's zone; every translatable text translated."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from portal.extensions import db
from portal.i18n import SOURCE_DIR
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
        str(ROOT), method_map, keywords=keywords, options_map={"templates/**.html": {}}
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
