"""Hostile input: session fixation, open redirects, over-long bodies, unicode edge cases,
and tampered ids in paths and bodies. Nothing answers 500, nothing is half written."""

import re

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from portal.extensions import db
from portal.ideas.models import Comment, Idea
from portal.notify.models import Notification
from portal.responses import safe_next
from tests.conftest import PASSWORD

API = "/api/v1"
OFF_SITE = [
    "//evil.example/steal",
    "///evil.example",
    "https://evil.example/",
    "http:evil.example",
    "HTTPS://evil.example",
    "javascript:alert(1)",
    " javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "\x00//evil.example",
    " //evil.example",
    "data:text/html,<script>alert(1)</script>",
]
HUGE_IDS = [0, -1, 2**31, 2**63, 10**30]


def counts() -> tuple[int, int]:
    numbers = (db.session.scalar(select(func.count(Idea.id))),
               db.session.scalar(select(func.count(Comment.id))))  # fmt: skip
    db.session.rollback()
    return numbers


@pytest.fixture
def idea(make):
    return make.idea(author=make.user("customer", name="Owner"), category=make.category("public"))


# --- session fixation -----------------------------------------------------------------------------


def test_signing_in_issues_a_new_session_and_the_old_cookie_stays_anonymous(app, client, make):
    user = make.user()
    client.get("/login")
    with client.session_transaction() as session:
        session["chosen_by"] = "an attacker who set this cookie in the victim's browser"
    fixed = client.get_cookie("session").value
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get_cookie("session").value != fixed
    with client.session_transaction() as session:
        assert "chosen_by" not in session
    assert client.get("/account").status_code == 200
    attacker = app.test_client()
    attacker.set_cookie("session", fixed)
    response = attacker.get("/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_session_from_before_a_password_change_no_longer_signs_in(app, client, make, login):
    user = make.user()
    login(user)
    stolen = client.get_cookie("session").value
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "another-horse-battery",
              "confirm": "another-horse-battery"},
    )  # fmt: skip
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:300]
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/account").status_code == 302


# --- open redirects -------------------------------------------------------------------------------


@pytest.mark.parametrize("target", OFF_SITE)
def test_safe_next_refuses_anything_off_site(target):
    assert safe_next(target, "/fallback") == "/fallback"


@pytest.mark.parametrize("target", ["/ideas/1", "/search?q=a%20b", "/ideas?sort=new#top"])
def test_safe_next_keeps_paths_on_this_site(target):
    assert safe_next(target, "/fallback") == target


def _stays_on_site(response) -> None:
    assert response.status_code in (301, 302, 303), response.status_code
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert "evil" not in location and "javascript" not in location.lower(), location


@pytest.mark.parametrize("target", OFF_SITE)
def test_next_through_the_sign_in_page_stays_on_site(client, make, target):
    user = make.user()
    page = client.get("/login", query_string={"next": target})
    assert page.status_code == 200
    links = re.findall(r'(?:href|action)="([^"]*)"', page.get_data(as_text=True))
    assert not [link for link in links if "evil" in link and not link.startswith("/")], links
    # The sign-in form carries `next` on; whatever it says, the redirect is ours.
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "next": target}
    )
    _stays_on_site(response)


@pytest.mark.parametrize("target", OFF_SITE)
def test_next_on_in_place_actions_stays_on_site(client, make, login, idea, target):
    login(make.user())
    for path in (f"/ideas/{idea.id}/vote", f"/ideas/{idea.id}/follow"):
        _stays_on_site(client.post(path, data={"next": target}))
        _stays_on_site(client.post(path, query_string={"next": target}))
    response = client.post(
        "/flags",
        data={"target_type": "idea", "target_id": idea.id, "reason": "spam", "next": target},
    )
    _stays_on_site(response)


def test_the_sign_in_redirect_names_a_path_only(client, idea):
    response = client.get(f"/ideas/{idea.id}/edit")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next=%2Fideas%2F{idea.id}%2Fedit"


# --- over-long bodies -----------------------------------------------------------------------------


def test_the_limits_are_set():
    from config import Config

    assert Config.MAX_CONTENT_LENGTH == 1024 * 1024
    assert 80_000 < Config.MAX_FORM_MEMORY_SIZE <= Config.MAX_CONTENT_LENGTH


def test_a_page_form_over_one_mebibyte_is_413_with_a_page(client, make, login):
    login(make.user())
    response = client.post("/ideas/new", data={"title": "Big", "body": "x" * (1024 * 1024 + 1)})
    assert response.status_code == 413
    assert response.mimetype == "text/html"
    text = response.get_data(as_text=True)
    assert "too large" in text and "1 MiB" in text
    assert counts() == (0, 0)


def test_a_multipart_form_field_over_the_form_limit_is_413(client, make, login, idea):
    login(make.user())
    response = client.post(
        f"/ideas/{idea.id}/comments",
        data={"body": "y" * 300_000},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "256 KiB" in response.get_data(as_text=True)
    assert counts() == (1, 0)


def test_too_many_multipart_parts_is_413(client, make, login):
    login(make.user())
    fields = {f"f{n}": "x" for n in range(1100)}
    response = client.post("/ideas/new", data=fields, content_type="multipart/form-data")
    assert response.status_code == 413
    assert counts() == (0, 0)


def test_an_api_body_over_one_mebibyte_is_a_json_413(client, make, token_for, idea):
    headers = {**token_for(make.user()), "Content-Type": "application/json"}
    body = '{"body": "' + "z" * (1024 * 1024) + '"}'
    response = client.post(f"{API}/ideas/{idea.id}/comments", data=body, headers=headers)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"
    assert "1 MiB" in response.get_json()["error"]["message"]
    # Announced by Content-Length alone, before a byte of the body is read.
    response = client.post(f"{API}/ideas", headers={**headers, "Content-Length": str(2**31)},
                           data=b"")  # fmt: skip
    assert response.status_code in (400, 413)
    assert response.mimetype == "application/json"
    assert counts() == (1, 0)


# --- unicode edge cases ---------------------------------------------------------------------------

ACCEPTED_TEXT = [
    "Right\u200fto\u200eleft \u202eevil.exe\u202c marks",
    "Family 👩\u200d👩\u200d👧 and zero\u200bwidth\u2060joiners",
    "Combining e\u0301\u0301\u0301 and Zalgo z\u0335\u0321\u0322a\u0336l\u0337g\u0338o",
    "W" + "o" * 140,  # one very long word in a title
    "Arabic \u0645\u0631\u062d\u0628\u0627 and Hebrew \u05e9\u05dc\u05d5\u05dd",
    "BOM \ufeff and replacement \ufffd and private use \ue000",
    "Astral 𝕌𝕟𝕚𝕔𝕠𝕕𝕖 and emoji 🧪🔥",
]
REFUSED_TEXT = ["NUL \x00 inside", "Bell \x07 inside", "Escape \x1b[31m red", "DEL \x7f"]


@pytest.mark.parametrize("title", ACCEPTED_TEXT)
def test_unusual_unicode_is_kept_and_shown_escaped_via_the_form(client, make, login, title):
    author = make.user()
    category = make.category()
    login(author)
    body = f"{title}\n\n" + "L" + "o" * 19_000 + "ng"  # a 19,003-letter word
    response = client.post(
        "/ideas/new", data={"title": title, "body": body, "category": category.slug, "kind": "idea"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    idea = db.session.scalars(select(Idea)).one()
    assert (idea.title, idea.body) == (title.strip(), body)
    response = client.post(f"/ideas/{idea.id}/comments", data={"body": title})
    assert response.status_code == 302
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert str(escape(title.strip())) in page


@pytest.mark.parametrize("text", ACCEPTED_TEXT)
def test_unusual_unicode_is_kept_via_the_api(client, make, token_for, text):
    headers = token_for(make.user())
    category = make.category()
    response = client.post(
        f"{API}/ideas", json={"title": text, "body": text, "category": category.slug},
        headers=headers,
    )  # fmt: skip
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    assert created["title"] == text.strip() and created["body"] == text
    comment = client.post(f"{API}/ideas/{created['id']}/comments", json={"body": text},
                          headers=headers)  # fmt: skip
    assert comment.status_code == 201 and comment.get_json()["body"] == text
    assert client.get(f"{API}/ideas/{created['id']}").get_json()["title"] == text.strip()


@pytest.mark.parametrize("text", REFUSED_TEXT)
def test_control_characters_are_refused_everywhere_and_nothing_is_written(
    client, make, login, token_for, idea, text
):
    user = make.user()
    headers = token_for(user)
    category = make.category()
    login(user)
    good = {"title": "A good title", "body": "Fine", "category": category.slug, "kind": "idea"}
    for field in ("title", "body"):
        response = client.post("/ideas/new", data={**good, field: text})
        assert response.status_code == 422, response.get_data(as_text=True)[:300]
        assert "control characters" in response.get_data(as_text=True)
        response = client.post(f"{API}/ideas", json={**good, field: text}, headers=headers)
        assert response.status_code == 422
        assert field in response.get_json()["error"]["fields"]
    assert client.post(f"/ideas/{idea.id}/comments", data={"body": text}).status_code == 422
    response = client.post(f"{API}/ideas/{idea.id}/comments", json={"body": text}, headers=headers)
    assert response.status_code == 422
    assert counts() == (1, 0)


@pytest.mark.parametrize(
    "raw",
    [
        '{"title": "Lone \\ud800 surrogate", "category": "%s"}',
        '{"title": "Lone low \\udfff here", "category": "%s"}',
        '{"title": "Reversed pair \\udc00\\ud800", "category": "%s"}',
        '{"title": "Fine title", "body": "\\ud83d", "category": "%s"}',
    ],
)
def test_lone_surrogates_in_json_are_refused(client, make, token_for, idea, raw):
    headers = {**token_for(make.user()), "Content-Type": "application/json"}
    response = client.post(f"{API}/ideas", data=raw % idea.category.slug, headers=headers)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] == "validation"
    comment = '{"body": "\\udead"}'
    response = client.post(f"{API}/ideas/{idea.id}/comments", data=comment, headers=headers)
    assert response.status_code == 422
    assert counts() == (1, 0)


def test_invalid_utf8_in_a_form_never_fails(client, make, login, idea):
    login(make.user())
    for raw in (b"body=%ED%A0%80", b"body=%FF%FE%00", b"body=%C0%AF", b"body=ok%E2%82"):
        response = client.post(f"/ideas/{idea.id}/comments", data=raw,
                               content_type="application/x-www-form-urlencoded")  # fmt: skip
        assert response.status_code in (302, 400, 422), raw
    for comment in db.session.scalars(select(Comment)):
        assert "\x00" not in comment.body


# --- query parameters ----------------------------------------------------------------------------

# Every name a page or the API reads from its query string (the filters, searches, cursors).
QUERY_NAMES = ["sort", "category", "status", "kind", "q", "type", "order", "target", "team",
               "assignee", "list", "title", "related_q", "cursor", "watch", "refresh", "state",
               "role", "reason", "page", "per_page", "next", "theme"]  # fmt: skip


@pytest.mark.parametrize("value", ["a%00b", "%07", "%ED%A0%80", "%FF"])
@pytest.mark.parametrize("who", ["visitor", "admin"])
def test_odd_characters_in_any_query_parameter_are_never_a_500(app, client, make, login, idea,
                                                               token_for, who, value):  # fmt: skip
    """Every GET page and API path, given each name above set to a NUL, a bell, an encoded
    surrogate or a byte that is not UTF-8: PostgreSQL refuses NUL in text, so one that reaches
    a query is a 500."""
    headers = {}
    if who == "admin":
        admin = make.user("staff", role="admin")
        login(admin)
        headers = token_for(admin)
    query = "&".join(f"{name}={value}" for name in QUERY_NAMES)
    failures = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or set(rule.arguments) - {"idea_id"}:
            continue
        path = rule.build({"idea_id": idea.id})[1] if rule.arguments else rule.rule
        response = client.get(f"{path}?{query}", headers=headers)
        response.close()  # the CSV exports stream
        if response.status_code >= 500 and response.status_code != 503:
            failures.append((path, response.status_code))
    assert failures == []


# --- ids in paths and bodies ----------------------------------------------------------------------


@pytest.mark.parametrize("number", HUGE_IDS)
def test_huge_negative_and_zero_ids_in_page_paths_are_404(client, make, login, idea, number):
    login(make.user("staff", role="admin"))
    comment = f"/ideas/{idea.id}/comments/{number}"
    for method, path in [
        ("GET", f"/ideas/{number}"),
        ("GET", f"/ideas/{number}/edit"),
        ("POST", f"/ideas/{number}/edit"),
        ("POST", f"/ideas/{number}/vote"),
        ("POST", f"/ideas/{number}/follow"),
        ("POST", f"/ideas/{number}/comments"),
        ("POST", f"/ideas/{number}/status"),
        ("POST", f"/ideas/{number}/promote"),
        ("POST", f"{comment}/edit"),
        ("POST", f"{comment}/delete"),
        ("POST", f"{comment}/official"),
        ("GET", f"/items/{number}"),
        ("POST", f"/admin/users/{number}/approve"),
        ("POST", f"/admin/webhooks/{number}/delete"),
        ("POST", f"/account/tokens/{number}/revoke"),
    ]:
        response = client.open(path, method=method, data={"body": "x", "title": "Some title"})
        assert response.status_code == 404, (method, path, response.status_code)
    assert counts() == (1, 0)


@pytest.mark.parametrize("segment", ["1.5", "0x10", "1e3", "abc", "%00", "１", "1%00"])
def test_ids_that_are_not_numbers_are_404(client, make, token_for, segment):
    headers = token_for(make.user())
    assert client.get(f"/ideas/{segment}").status_code == 404
    assert client.post(f"{API}/ideas/{segment}/vote", headers=headers).status_code == 404


@pytest.mark.parametrize("number", [0, -1, 2**31, 2**63, 10**30, "7", 1.0, True, None, [1], {}])
def test_tampered_ids_in_api_bodies_never_fail(client, make, token_for, idea, number):
    user = make.user()
    staff = make.user("staff", role="admin")
    headers, staff_headers = token_for(user), token_for(staff)
    idea_id = idea.id
    reply = {"body": "Reply", "parent_id": number}
    requests = [
        (headers, "POST", f"{API}/ideas/{idea_id}/comments", reply),
        (headers, "POST", f"{API}/flags", {"target_type": "idea", "target_id": number,
                                           "reason": "spam"}),
        (headers, "POST", f"{API}/flags", {"target_type": "idea", "target_id": idea_id,
                                           "reason": "duplicate", "duplicate_of": number}),
        (headers, "POST", f"{API}/notifications/read", {"ids": [number]}),
        (staff_headers, "POST", f"{API}/moderation/actions",
         {"action": "merge", "target_type": "idea", "target_id": idea_id, "into_id": number,
          "reason": "Same"}),
        (staff_headers, "POST", f"{API}/ideas/{idea_id}/promote",
         {"idea_ids": [number], "owner_id": number, "team": number}),
    ]  # fmt: skip
    for request_headers, method, path, body in requests:
        response = client.open(path, method=method, json=body, headers=request_headers)
        assert response.status_code in (200, 201, 400, 404, 409, 422), (
            path, body, response.status_code, response.get_data(as_text=True)[:300])  # fmt: skip
        db.session.rollback()
    assert db.session.get(Idea, idea_id).merged_into_id is None


def test_marking_read_with_ids_beyond_any_column_is_not_a_500(client, make, token_for):
    # Found by schemathesis: these ids overflowed the database driver.
    user = make.user()
    db.session.add(Notification(user_id=user.id, event="reply", title="Hello"))
    db.session.commit()
    headers = token_for(user)
    response = client.post(
        f"{API}/notifications/read", json={"ids": [2**63, -(2**63) - 1, 10**30]}, headers=headers
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"unread": 1}


@pytest.fixture
def others(make, token_for):
    """Two members, the first owning an idea with a comment; tokens for both."""
    owner, intruder = make.user(name="Owner"), make.user(name="Intruder")
    idea = make.idea(author=owner, category=make.category())
    from portal.ideas import discussion

    comment = discussion.add_comment(owner, idea, "Mine", parent_id=None, official=False)
    db.session.commit()
    return owner, intruder, idea.id, comment.id, token_for(intruder)


def test_other_peoples_ideas_and_comments_cannot_be_edited_or_deleted(client, login, others):
    owner, intruder, idea_id, comment_id, headers = others
    login(intruder)
    base = f"/ideas/{idea_id}"
    for method, path, data in [
        ("GET", f"{base}/edit", None),
        ("POST", f"{base}/edit", {"title": "Taken over", "body": "Mine now"}),
        ("POST", f"{base}/status", {"status": "declined"}),
        ("GET", f"{base}/comments/{comment_id}/edit", None),
        ("POST", f"{base}/comments/{comment_id}/edit", {"body": "Mine now"}),
        ("POST", f"{base}/comments/{comment_id}/delete", None),
        ("POST", f"{base}/comments/{comment_id}/official", None),
    ]:
        assert client.open(path, method=method, data=data).status_code in (403, 404), path
    for method, path, body in [
        ("PATCH", f"{API}{base}", {"title": "Taken over"}),
        ("PATCH", f"{API}{base}", {"status": "declined"}),
        ("PATCH", f"{API}{base}/comments/{comment_id}", {"body": "Mine now"}),
        ("DELETE", f"{API}{base}/comments/{comment_id}", None),
    ]:
        response = client.open(path, method=method, json=body, headers=headers)
        assert response.status_code in (403, 404), (method, path, response.status_code)
    idea = db.session.get(Idea, idea_id)
    comment = db.session.get(Comment, comment_id)
    assert (idea.title, idea.status, comment.body, comment.is_deleted) == (
        idea.title, "open", "Mine", False)  # fmt: skip
    assert "Taken over" not in idea.title


def test_a_comment_id_under_another_idea_is_404(client, make, login, others):
    owner, intruder, idea_id, comment_id, headers = others
    elsewhere = make.idea(author=intruder).id
    login(owner)
    path = f"/ideas/{elsewhere}/comments/{comment_id}"
    assert client.post(f"{path}/edit", data={"body": "Moved"}).status_code == 404
    assert client.post(f"{path}/delete").status_code == 404
    assert db.session.get(Comment, comment_id).body == "Mine"
