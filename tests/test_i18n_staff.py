"""The pages moderators, staff and admins use, in German (SPEC 16); the rest of the reader's
language is in tests/test_i18n.py."""

from portal.extensions import db
from tests.test_i18n import ENGLISH, GERMAN, _assert_german, _german_reader, _page


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
                 "wartet auf Freigabe", ">Setzen<", ">Mitglied<"):  # fmt: skip
        assert text in people, text
    assert "Any role" not in people and "waiting for approval" not in people
    page = _page(client, f"/admin/users/{supplier.id}", ENGLISH)
    for text in ("Lieferant bei <a", "Wartet auf Freigabe als Lieferant von",
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
    assert "Sam Supplier ist freigegeben und wird benachrichtigt." in after
    assert "Lieferant freigegeben" in after  # the admin log's wording, in German


# -- the admin pages: the index, a category, a team, an organization, webhooks, approvals, the log


def test_the_admin_index_in_german(make, client, login):
    from portal.timeutil import utcnow

    make.user(kind="supplier", approved=False, name="Sam Supplier")
    make.category(slug="ovens", team=make.team("Kitchen"))
    make.category(slug="old").archived_at = utcnow()
    _german_reader(make, login, kind="staff", role="admin")
    _assert_german(
        _page(client, "/admin", ENGLISH),
        ("<h1>Verwaltung</h1>", 'aria-label="Weitere Verwaltung"', ">Verwaltungsprotokoll<",
         "Lieferanten, die auf Freigabe warten", ">Registriert<", ">Freischalten<",
         'aria-label="Sam Supplier freischalten"', "Das Konto bleibt als Kundenkonto bestehen.",
         "Suchen Sie Personen</a>, um ihre Art", ">Kurzname (Slug)<", ">Zielgruppe<",
         ">archiviert<", "<summary>Neue Kategorie</summary>", ">Kategorie anlegen<",
         ">Team hinzufügen<", ">Organisation hinzufügen<", "Lieferantenorganisationen",
         '<a href="/admin/routing">Zuordnungsseite</a>'),
        ("<h1>Administration", "Suppliers waiting", "Registered", ">Approve<", ">archived<",
         "Create category", "Add team", "routing page", "Find people"),
    )  # fmt: skip


def test_the_supplier_approvals_page_in_german(make, client, login):
    supplier = make.user(kind="supplier", approved=False, name="Sam Supplier")
    _german_reader(make, login, kind="staff")
    _assert_german(
        _page(client, "/admin/approvals", ENGLISH),
        ("<h1>Freigabe von Lieferanten</h1>", "bis sie hier jemand freigibt", "Sam Supplier",
         "<summary>Ablehnen…</summary>", "Begründung (optional, wird der Person mitgeteilt)",
         'aria-label="Sam Supplier ablehnen"'),
        ("Supplier approvals", "Reject…", "Reason (optional"),
    )  # fmt: skip
    approved = client.post(f"/admin/users/{supplier.id}/approve", data={"next": "/admin/approvals"})
    assert approved.status_code == 302
    after = _page(client, "/admin/approvals", ENGLISH)
    assert "Kein Lieferant wartet auf Freigabe." in after and "No supplier" not in after


def test_a_category_in_german(make, client, login):
    from portal.timeutil import utcnow

    team = make.team("Kitchen")
    category = make.category(slug="ovens", team=team)
    make.idea(category=category)
    make.idea(category=category)
    make.category(slug="stoves")
    _german_reader(make, login, kind="staff", role="admin")
    path = f"/admin/categories/{category.id}"
    _assert_german(
        _page(client, path, ENGLISH),
        ("· Kategorien · Verwaltung · ", "Ideen der Kategorie (2)", ">Öffentlich<",
         f'zugeordnet an <a href="/admin/teams/{team.id}">Kitchen</a>',
         '(<a href="/admin/routing">Zuordnungsregeln</a> gehen vor)', ">Bearbeiten<",
         "Eine neue Zielgruppe gilt sofort", ">Speichern<", ">Archivieren<",
         "Ideen der Kategorie verschieben", "Alle 2 Ideen werden verschoben",
         ">Alle Ideen verschieben<", ">Änderungen<"),
        ("Its ideas", "routed to", "come first", "Move every idea", "idea(s)", "All 2 ideas"),
    )  # fmt: skip
    category.archived_at = utcnow()
    db.session.commit()
    _assert_german(
        _page(client, path, ENGLISH),
        (">archiviert<", ">Archiviert</h2>", "Archiviert <time",
         "Sie nimmt keine neuen Ideen an", ">Wieder neue Ideen annehmen<"),
        ("Take new ideas again", "it takes no new ideas"),
    )  # fmt: skip


def test_a_team_and_its_members_in_german(make, client, login):
    team = make.team("Kitchen")
    away = make.user(kind="staff", name="Ava Away")
    away.available = False
    team.members.append(away)
    make.user(kind="staff", name="Bo Staff")
    _german_reader(make, login, kind="staff", role="admin", name="Greta Admin")
    path = f"/admin/teams/{team.id}"
    _assert_german(
        _page(client, path, ENGLISH),
        ("Kitchen · Teams · Verwaltung · ", "Zuweisung, Antwortfrist und Geschäftszeiten",
         "Mitglieder (1)", "Ava Away", "(abwesend)", ">entfernen<",
         'aria-label="Ava Away aus Kitchen entfernen"', ">Hinzufügen<",
         "Nur Mitarbeitende und die Verwaltung gehören zu Teams", ">Umbenennen<"),
        ("Members (", "(away)", ">remove<", ">Add<", "Only staff and admins", ">Rename<"),
    )  # fmt: skip
    removed = client.post(f"{path}/members/{away.id}/remove", data={},
                          headers={"HX-Request": "true"})  # fmt: skip
    fragment = removed.get_data(as_text=True)
    assert removed.status_code == 200 and "Mitglieder (0)" in fragment
    assert "Keine Mitglieder: Ideen, die hierher zugeordnet werden" in fragment


def test_an_organization_in_german(make, client, login):
    org = make.org("Acme Parts")
    make.user(kind="supplier", org=org, approved=False, name="Sam Supplier")
    empty = make.org("Nobody Ltd")
    _german_reader(make, login, kind="staff", role="admin")
    _assert_german(
        _page(client, f"/admin/organizations/{org.id}", ENGLISH),
        ("Acme Parts · Organisationen · Verwaltung · ", "Personen (1)", "Sam Supplier",
         ">wartet auf Freigabe<", "<h2 id=\"rename-title\" class=\"h4\">Name</h2>",
         ">Umbenennen<", ">Änderungen<"),
        ("People (", "waiting for approval", ">Rename<"),
    )  # fmt: skip
    assert "Noch niemand." in _page(client, f"/admin/organizations/{empty.id}", ENGLISH)


def test_webhooks_and_a_delivery_log_in_german(make, client, login):
    from portal.notify.models import Webhook

    hook = Webhook(url="https://hooks.example.com/in", secret="s3cret-s3cret-s3cret",
                   events="idea.created,comment.created", active=True)  # fmt: skip
    db.session.add(hook)
    _german_reader(make, login, kind="staff", role="admin")
    _assert_german(
        _page(client, "/admin/webhooks", ENGLISH),
        ("<h1>Webhooks</h1>", "Webhooks senden signiertes JSON per POST",
         "<code>X-Portal-Signature: sha256=&lt;hex&gt;</code>", "Registrierte Webhooks",
         ">Ereignisse<", ">Zustellungen<", ">Aktiv<", "Geheimnis s3cr…", ">Zustellprotokoll<",
         "0 zugestellt · 0 ausstehend · 0 fehlgeschlagen", ">Deaktivieren<",
         'aria-label="Webhook an https://hooks.example.com/in deaktivieren"',
         "<summary>Löschen…</summary>", ">Endgültig löschen<", "Webhook registrieren</h2>",
         "Signaturgeheimnis"),
        ("Registered webhooks", "Delivery log", "Deactivate", "Delete for good", "sent ·",
         "signed JSON"),
    )  # fmt: skip
    log = _page(client, f"/admin/webhooks/{hook.id}", ENGLISH)
    _assert_german(
        log,
        ("<h1>Webhook-Zustellungen</h1>", "Ereignisse: idea.created, comment.created",
         "registriert ", "Die letzten ", "Noch keine Zustellungen"),
        ("Webhook deliveries", "Events:", "The last", "No deliveries yet"),
    )  # fmt: skip


def test_the_admin_log_in_german(make, client, login):
    _german_reader(make, login, kind="staff", role="admin", name="Greta Admin")
    assert "Noch nichts festgehalten." in _page(client, "/admin/log", ENGLISH)
    created = client.post("/admin/teams", data={"team-name": "Kitchen"})
    assert created.status_code == 302
    _assert_german(
        _page(client, "/admin/log", ENGLISH),
        ("<title>Verwaltungsprotokoll · ", "<h1>Verwaltungsprotokoll</h1>",
         "Jede Änderung, die die Verwaltung",
         'öffentliches <a href="/moderation/log">Protokoll</a>',
         "Änderungen zeigen an", '<option value="">alles</option>',
         '<option value="routing_rule" >Zuordnungsregeln</option>',
         '<option value="category" >Kategorien</option>', ">Anzeigen<", ">Wann<", ">Wer<",
         ">Betrifft<", "Greta Admin", "Team angelegt", "Kitchen"),
        ("Admin log", "Show changes to", "everything", "categorys", "routing_rules",
         "Created a team"),
    )  # fmt: skip
    teams = _page(client, "/admin/log?target=team", ENGLISH)
    assert '<option value="team" selected>Teams</option>' in teams and "Team angelegt" in teams
