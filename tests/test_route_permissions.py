"""Every route × every method × every role against one table of who may do what.

Path ids name other people's records (an idea, a comment, a token, a webhook, a user), so
this is also the "someone else's id" test. Whoever the table leaves out gets a sign-in
redirect (pages), 401 (API), 403 or 404: never a success, never a change in the database.
Whoever it lets in gets no 401/403 and no sign-in redirect. Nobody gets a 500.
"""

import hashlib

import pytest
from sqlalchemy import select, text

from portal.accounts.models import ApiToken
from portal.extensions import db
from portal.ideas import discussion
from portal.intake import service as intake
from portal.notify.models import Notification, Webhook
from portal.routing.models import RoutingRule
from portal.tracking import service as tracking

ROLES = ("anonymous", "customer", "pending_supplier", "supplier", "staff", "moderator", "admin")

ANYONE = frozenset(ROLES)
SIGNED_IN = ANYONE - {"anonymous"}
STAFF = frozenset({"staff", "admin"})  # staff members; admins are staff too
MODERATORS = frozenset({"moderator", "admin"})
ADMIN = frozenset({"admin"})
NOBODY = frozenset()
# Someone else's idea or comment: moderators (and admins) may edit it, its author is not here.
OTHERS_CONTENT = MODERATORS

# (endpoint, method) or endpoint (every method) -> who may.
ALLOWED = {
    "ideas.index": ANYONE,
    "ideas.list_ideas": ANYONE,
    "ideas.detail": ANYONE,
    "ideas.history": ANYONE,
    "ideas.similar": ANYONE,
    "ideas.new": SIGNED_IN,
    "ideas.edit": OTHERS_CONTENT,
    "ideas.vote": SIGNED_IN,
    "ideas.follow": SIGNED_IN,
    "ideas.comment": SIGNED_IN,
    "ideas.change_status": STAFF,
    "ideas.edit_comment": OTHERS_CONTENT,
    "ideas.delete_comment": OTHERS_CONTENT,
    "ideas.toggle_official": STAFF,
    "search.search": ANYONE,
    "tracking.roadmap": ANYONE,
    "tracking.changelog": ANYONE,
    ("tracking.item", "GET"): ANYONE,
    ("tracking.item", "POST"): STAFF,
    "tracking.promote": STAFF,
    "tracking.unlink": STAFF,
    "tracking.related": STAFF,
    "staff.dashboard": STAFF,
    "staff.triage": STAFF,
    "staff.export_ideas": STAFF,
    "staff.export_items": STAFF,
    "accounts.login": ANYONE,
    "accounts.register": ANYONE,
    "accounts.logout": ANYONE,
    "accounts.account": SIGNED_IN,
    # Empty forms and bodies: each role is refused for want of a password, never erased.
    "accounts.export_data": SIGNED_IN,
    "accounts.delete_account": SIGNED_IN,
    "api.export_me": SIGNED_IN,
    "api.erase_me": SIGNED_IN,
    "main.privacy": ANYONE,
    "accounts.update_profile": SIGNED_IN,
    "accounts.change_password": SIGNED_IN,
    "accounts.create_token": SIGNED_IN,
    "accounts.revoke_token": NOBODY,  # someone else's token
    "accounts.change_email": SIGNED_IN,
    "accounts.resend_verification": SIGNED_IN,
    "accounts.forgot_password": ANYONE,
    # Single sign-on: no provider is configured here, so both answer 404 (tests/test_sso.py).
    "accounts.sso_start": ANYONE,
    "accounts.sso_callback": ANYONE,
    # Forged links: nobody gets past them.
    "accounts.verify_email": NOBODY,
    "accounts.reset_password": NOBODY,
    "accounts.confirm_email_change": NOBODY,
    "admin.index": ADMIN,
    "admin.approvals": STAFF,
    "admin.log": ADMIN,
    "admin.create_category": ADMIN,
    "admin.category": ADMIN,
    "admin.update_category": ADMIN,
    "admin.archive_category": ADMIN,
    "admin.unarchive_category": ADMIN,
    "admin.move_ideas": ADMIN,
    "admin.create_team": ADMIN,
    "admin.team": ADMIN,
    "admin.rename_team": ADMIN,
    "admin.add_member": ADMIN,
    "admin.remove_member": ADMIN,
    "admin.create_organization": ADMIN,
    "admin.organization": ADMIN,
    "admin.rename_organization": ADMIN,
    "users.index": ADMIN,
    "users.detail": ADMIN,
    "users.update": ADMIN,
    "users.set_role": ADMIN,
    "users.approve": STAFF,
    "users.reject": STAFF,
    "admin.webhooks": ADMIN,
    "admin.create_webhook": ADMIN,
    "admin.webhook_log": ADMIN,
    "admin.activate_webhook": ADMIN,
    "admin.deactivate_webhook": ADMIN,
    "admin.delete_webhook": ADMIN,
    "moderation.flag": SIGNED_IN,
    "moderation.appeal": SIGNED_IN,
    "moderation.review": MODERATORS,
    "moderation.act": MODERATORS,
    "moderation.moderation_log": ANYONE,
    "notify.centre": SIGNED_IN,
    "notify.read": SIGNED_IN,
    "notify.open_note": NOBODY,  # someone else's notification
    "notify.unsubscribe": NOBODY,  # a forged link
    "main.healthz": ANYONE,
    "main.api_reference": ANYONE,
    "live.poll": ANYONE,  # answers only what the viewer may see (tests/test_live.py)
    "static": ANYONE,
    "api.openapi": ANYONE,
    "api.me": SIGNED_IN,
    "api.categories": ANYONE,
    "api.list_ideas": ANYONE,
    "api.get_idea": ANYONE,
    "api.create_idea": SIGNED_IN,
    "api.patch_idea": OTHERS_CONTENT,
    "api.vote": SIGNED_IN,
    "api.unvote": SIGNED_IN,
    "api.list_comments": ANYONE,
    "api.create_comment": SIGNED_IN,
    "api.patch_comment": OTHERS_CONTENT,
    "api.delete_comment": OTHERS_CONTENT,
    "api.promote": STAFF,
    "api.list_items": ANYONE,
    "api.get_item": ANYONE,
    "api.patch_item": STAFF,
    "api.search": ANYONE,
    "api.create_flag": SIGNED_IN,
    "api.moderation_queue": MODERATORS,
    "api.moderation_action": MODERATORS,
    "api.notifications": SIGNED_IN,
    "api.read_notifications": SIGNED_IN,
    # Intake and routing (SPEC 12, 13).
    "intake.inbox": STAFF,
    "intake.message": STAFF,
    "intake.act": STAFF,
    ("widget.widget", "GET"): ANYONE,
    ("widget.widget", "POST"): NOBODY,  # only from the portal's own origin: a test sends none
    "routing.responsiveness": ANYONE,
    "routing.admin": ADMIN,
    "routing.create_rule": ADMIN,
    "routing.update_rule": ADMIN,
    "routing.delete_rule": ADMIN,
    "routing.update_team": ADMIN,
    "ideas.move": STAFF | MODERATORS,
    "ideas.assign": STAFF,
    "accounts.update_availability": STAFF,
    "api.create_intake": STAFF,
    "api.list_intake": STAFF,
    "api.get_intake": STAFF,
    "api.intake_action": STAFF,
    "api.list_routing_rules": ADMIN,
    "api.create_routing_rule": ADMIN,
    "api.patch_routing_rule": ADMIN,
    "api.delete_routing_rule": ADMIN,
    "api.list_teams": STAFF,
    "api.patch_team": ADMIN,
    "api.get_responsiveness": ANYONE,
}
# Sent last, in this order: they lock the idea, remove what later requests name, sign out.
LAST = ("api.moderation_action", "moderation.act", "admin.delete_webhook", "ideas.delete_comment",
        "api.delete_comment", "accounts.logout")  # fmt: skip
ORDER = {endpoint: n + 1 for n, endpoint in enumerate(LAST)}


def allowed(endpoint: str, method: str) -> frozenset:
    rule = ALLOWED.get((endpoint, method), ALLOWED.get(endpoint))
    assert rule is not None, f"{method} {endpoint} is missing from the permission table"
    return rule


@pytest.fixture
def targets(make, token_for):
    """Other people's records, named by every path id."""
    owner = make.user("customer", name="Owner")
    staff = make.user("staff", name="Other staff")
    category = make.category("public", slug="public")
    idea = make.idea(author=owner, category=category, title="Owner's idea")
    comment = discussion.add_comment(owner, idea, "Owner's comment", parent_id=None,
                                     official=False)  # fmt: skip
    api_comment = discussion.add_comment(owner, idea, "Owner's other comment", parent_id=None,
                                         official=False)  # fmt: skip
    item = tracking.promote(staff, [make.idea(author=owner, category=category).id])
    waiting = make.user("supplier", approved=False, name="Waiting supplier")
    team = make.team("Some team")
    token_for(owner)
    webhook = Webhook(url="http://127.0.0.1:9/portal", secret="s" * 32, events="idea.created",
                      active=True)  # fmt: skip
    db.session.add(webhook)
    note = Notification(user_id=owner.id, event="reply", idea_id=idea.id, title="Owner's note")
    db.session.add(note)
    db.session.commit()
    token = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == owner.id))
    message = intake.receive(source="api", sender_email="someone@example.com",
                             body="A message from outside").message  # fmt: skip
    rule = RoutingRule(name="Someone's rule", team_id=team.id, position=1)
    db.session.add(rule)
    db.session.commit()
    return {
        "idea_id": idea.id,
        "comment_id": comment.id,
        "api.comment_id": api_comment.id,  # the pages delete the other one
        "item_id": item.id,
        "user_id": waiting.id,
        "token_id": token,
        "webhook_id": webhook.id,
        "note_id": note.id,
        "token": "forged-unsubscribe-token",
        "filename": "css/portal.css",
        "slug": category.slug,
        "category_id": category.id,
        "team_id": team.id,
        "organization_id": waiting.organization_id,
        "message_id": message.id,
        "action": "assign",
        "rule_id": rule.id,
    }


def payload(endpoint: str, t: dict) -> dict:
    """A request that would work for someone allowed, so a refusal is a refusal."""
    idea = {"target_type": "idea", "target_id": t["idea_id"]}
    return {
        "ideas.new": {"title": "A new idea from the table", "body": "x", "category": t["slug"],
                      "kind": "idea"},
        "ideas.edit": {"title": "Edited by someone else", "body": "Changed"},
        "ideas.comment": {"body": "A comment"},
        "ideas.change_status": {"status": "planned", "note": "Soon"},
        "ideas.edit_comment": {"body": "Edited by someone else"},
        "tracking.item": {"status": "in_progress", "priority": "p1", "note": "Moving"},
        "users.set_role": {"role": "moderator"},
        "users.update": {"kind": "staff", "role": "member", "organization": "0"},
        "admin.update_category": {"name": "Public ideas", "audience": "public", "team": "0"},
        "admin.rename_team": {"name": "Renamed team"},
        "admin.rename_organization": {"name": "Renamed organization"},
        "admin.create_category": {"slug": "new-one", "name": "New one", "audience": "public"},
        "admin.create_team": {"name": "New team"},
        "admin.create_organization": {"name": "New organization"},
        "admin.create_webhook": {"url": "https://hooks.example/new", "events": ["idea.created"]},
        "moderation.flag": {**idea, "reason": "spam"},
        "moderation.act": {**idea, "action": "lock", "reason": "Cooling down"},
        "api.create_idea": {"title": "A new idea from the table", "category": t["slug"]},
        "api.patch_idea": {"title": "Edited by someone else"},
        "api.create_comment": {"body": "A comment"},
        "api.patch_comment": {"body": "Edited by someone else"},
        "api.promote": {},
        "api.patch_item": {"priority": "p1"},
        "api.create_flag": {**idea, "reason": "spam"},
        "api.moderation_action": {**idea, "action": "lock", "reason": "Cooling down"},
        "api.read_notifications": {},
        "intake.act": {"team_id": str(t["team_id"])},
        "widget.widget": {"body": "Feedback", "email": "someone@example.com"},
        "routing.create_rule": {"name": "New rule", "team_id": str(t["team_id"])},
        "routing.update_rule": {"move": "up"},
        "routing.update_team": {"assignment": "queue", "timezone": "UTC", "days": ["0"],
                                "start": "09:00", "end": "17:00"},
        "ideas.move": {"kind": "problem"},
        "ideas.assign": {"team_id": str(t["team_id"])},
        "accounts.update_availability": {"available": "no"},
        "api.create_intake": {"sender_email": "someone@example.com", "body": "Hello"},
        "api.intake_action": {"action": "assign", "team_id": t["team_id"]},
        "api.create_routing_rule": {"name": "New rule", "team_id": t["team_id"]},
        "api.patch_routing_rule": {"position": 1},
        "api.patch_team": {"assignment": "queue"},
    }.get(endpoint, {})  # fmt: skip


def requests_for(app, t: dict) -> list[tuple[str, str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        path = rule.rule
        for name in rule.arguments:
            for pattern in (f"<int:{name}>", f"<path:{name}>", f"<{name}>"):
                value = t.get(f"{rule.endpoint.split('.')[0]}.{name}", t[name])
                path = path.replace(pattern, str(value))
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, path))
    found.sort(key=lambda r: (ORDER.get(r[0], 0), r[1] != "GET", r[0], r[1]))
    return found


def fingerprint() -> str:
    """Every row of every table, hashed: equal before and after means nothing changed."""
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(text(f'SELECT * FROM "{table.name}"')).all()
        digest.update(table.name.encode())
        for row in sorted(repr(tuple(row)) for row in rows):
            digest.update(row.encode())
    db.session.rollback()
    return digest.hexdigest()


def send(client, method, path, headers, data):
    if path.startswith("/api/"):
        body = {"json": data} if method in ("POST", "PATCH", "DELETE") else {}
        response = client.open(path, method=method, headers=headers, **body)
    else:
        response = client.open(path, method=method, data=data if method == "POST" else None)
    response.get_data()  # read streamed bodies (CSV exports) to the end
    response.close()
    return response


def judge(response, role, endpoint, method, path, may) -> str | None:
    status = response.status_code
    location = response.headers.get("Location", "")
    to_login = status == 302 and location.startswith("/login")
    where = f"{role}: {method} {path} ({endpoint}) answered {status} {location}".strip()
    if status >= 500:
        return where
    if may:
        if status in (401, 403) or to_login:
            return f"{where}, but the table lets {role} in"
    else:
        refused = to_login if not path.startswith("/api/") else status == 401
        if not (refused or status in (403, 404)):
            return f"{where}, but the table keeps {role} out"
    return None


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_the_table_says(app, make, targets, token_for, role):
    users = {
        "customer": lambda: make.user("customer"),
        "pending_supplier": lambda: make.user("supplier", approved=False),
        "supplier": lambda: make.user("supplier"),
        "staff": lambda: make.user("staff"),
        "moderator": lambda: make.user("customer", role="moderator"),
        "admin": lambda: make.user("staff", role="admin"),
    }
    client = app.test_client()
    headers = {}
    if role != "anonymous":
        user = users[role]()
        headers = token_for(user)
        response = client.post(
            "/login", data={"email": user.email, "password": "correct-horse-battery"}
        )
        assert response.status_code == 302
    problems = []
    for endpoint, method, path in requests_for(app, targets):
        may = role in allowed(endpoint, method)
        before = None if may else fingerprint()
        response = send(client, method, path, headers, payload(endpoint, targets))
        db.session.rollback()  # end what the request left open, as a request's teardown does
        problem = judge(response, role, endpoint, method, path, may)
        if problem:
            problems.append(problem)
        elif before is not None and fingerprint() != before:
            problems.append(f"{role}: {method} {path} ({endpoint}) changed the database")
    assert not problems, "\n".join(problems)


def test_the_table_names_every_route_and_nothing_else(app):
    served = {rule.endpoint for rule in app.url_map.iter_rules()}
    named = {key if isinstance(key, str) else key[0] for key in ALLOWED}
    assert served - named == set(), "routes missing from the table"
    assert named - served == set(), "the table names routes that do not exist"
