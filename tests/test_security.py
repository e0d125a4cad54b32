"""Security: inert user content, headers, CSRF, session fixation, sign-in rate limits."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.extensions import db, limiter
from portal.ideas.models import Comment, Idea, Vote
from tests.conftest import PASSWORD, confirmation_path, make_test_app

API = "/api/v1"
ROOT = Path(__file__).resolve().parents[1]
XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    '<a href="javascript:alert(document.cookie)">click</a>',
    "<svg onload=alert(1)>",
    '"><script>alert(2)</script>',
    "<div hx-get=/logout hx-trigger=load>htmx</div>",
    "[y](JaVaScRiPt:alert(1)) and ![z](javascript:alert(1))",
    "<iframe src=javascript:alert(1)></iframe>",
    "</textarea><script>alert(3)</script>",
]
# What must never appear in a page as markup (escaped text is fine).
RAW_MARKUP = [
    "<script>alert",
    "<img src=x",
    "<svg",
    "<iframe",
    "<div hx-get",
]  # (script URLs are caught by the parser: as escaped text they are harmless)
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:text/html")
MARKDOWN_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "a",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


class Audit(HTMLParser):
    """Collects markup that could run script: inline scripts, handlers, script URLs."""

    def __init__(self, allowed_tags=None):
        super().__init__(convert_charrefs=True)
        self.allowed_tags = allowed_tags
        self.problems: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self._text_stack: list[list[str]] = []
        self.texts: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)
        if tag in ("h1", "h3", "title", "textarea"):
            self._text_stack.append([tag])

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_endtag(self, tag):
        if self._text_stack and self._text_stack[-1][0] == tag:
            name, *parts = self._text_stack.pop()
            self.texts.setdefault(name, []).append("".join(parts).strip())

    def handle_data(self, data):
        for frame in self._text_stack:
            frame.append(data)

    def _check(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if self.allowed_tags is not None and tag not in self.allowed_tags:
            self.problems.append(f"<{tag}> is not an allowed tag")
        if tag == "script" and not (attributes.get("src") or "").startswith("/static/"):
            self.problems.append(f"inline or foreign script: {attributes}")
        if tag in ("svg", "iframe", "object", "embed", "base", "frame", "math"):
            self.problems.append(f"<{tag}> in the page")
        if tag == "meta" and (attributes.get("http-equiv") or "").lower() == "refresh":
            self.problems.append("meta refresh")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}={value!r} on <{tag}>")
            if name in URL_ATTRIBUTES and value:
                squashed = re.sub(r"[\s\x00-\x1f]+", "", value).lower()
                if squashed.startswith(DANGEROUS_SCHEMES):
                    self.problems.append(f"{name}={value!r} on <{tag}>")
            if self.allowed_tags is not None and name.startswith(("hx-", "data-hx")):
                self.problems.append(f"htmx attribute {name} in user content")


def audit(html: str, allowed_tags=None) -> Audit:
    parser = Audit(allowed_tags)
    parser.feed(html)
    parser.close()
    assert not parser.problems, parser.problems
    for marker in RAW_MARKUP:
        assert marker not in html, f"{marker!r} appears as markup"
    return parser


def count(model) -> int:
    number = db.session.scalar(select(func.count(model.id))) or 0
    db.session.rollback()  # hold no transaction while another app's requests write
    return number


def csrf_token_in(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def signed_in(client) -> bool:
    return client.get("/account").status_code == 200


# --- XSS --------------------------------------------------------------------------------------


@pytest.fixture
def xss_world(make, token_for):
    author = make.user("customer", name="<img src=x onerror=alert('name')>")
    staff = make.user("staff", name="Staff <b>bold</b>")
    category = make.category("public")
    return author, token_for(author), staff, token_for(staff), category


@pytest.mark.parametrize("payload", XSS)
def test_payloads_in_titles_bodies_and_comments_are_inert(client, login, xss_world, payload):
    author, headers, staff, staff_headers, category = xss_world
    response = client.post(
        f"{API}/ideas",
        json={"title": f"T {payload}", "body": f"Body {payload}", "category": category.slug},
        headers=headers,
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    idea = response.get_json()
    # The API keeps the title as plain text, exactly as written; body_html is sanitised.
    assert idea["title"] == f"T {payload}"
    assert idea["body"] == f"Body {payload}"
    audit(idea["body_html"], MARKDOWN_TAGS)
    response = client.post(
        f"{API}/ideas/{idea['id']}/comments", json={"body": f"C {payload}"}, headers=headers
    )
    assert response.status_code == 201
    audit(response.get_json()["body_html"], MARKDOWN_TAGS)
    response = client.patch(
        f"{API}/ideas/{idea['id']}",
        json={"status": "planned", "note": f"Note {payload}"},
        headers=staff_headers,
    )
    assert response.status_code == 200
    listed = client.get(f"{API}/ideas/{idea['id']}/comments").get_json()["items"]
    audit(listed[0]["body_html"], MARKDOWN_TAGS)

    title = f"T {payload}"
    paths = ("/", "/ideas", f"/ideas/{idea['id']}", f"/ideas/{idea['id']}/history")
    for viewer in (None, author, staff):  # anonymous, the author (edit links), staff (panel)
        if viewer is not None:
            login(viewer)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            html = response.get_data(as_text=True)
            audit(html)
            assert str(escape(title)) in html, path
        detail = audit(client.get(f"/ideas/{idea['id']}").get_data(as_text=True))
        assert detail.texts["h1"][0] == title
        assert detail.texts["title"][0].startswith(title)
    similar = client.get("/ideas/similar", query_string={"title": title})
    assert similar.status_code == 200
    assert str(escape(title)) in similar.get_data(as_text=True)
    audit(similar.get_data(as_text=True))


def test_payloads_posted_through_the_forms_are_inert(client, login, make):
    author = make.user("customer")
    staff = make.user("staff")
    category = make.category("public")
    login(author)
    for payload in XSS:
        response = client.post(
            "/ideas/new",
            data={"title": f"F {payload}"[:150], "body": payload, "category": category.slug,
                  "kind": "idea"},
        )  # fmt: skip
        assert response.status_code == 302, response.get_data(as_text=True)[:800]
        detail_url = response.headers["Location"]
        response = client.post(f"{detail_url}/comments", data={"body": payload})
        assert response.status_code == 302
    assert count(Idea) == len(XSS) and count(Comment) == len(XSS)
    for viewer in (author, staff):
        login(viewer)
        audit(client.get("/ideas?per_page=100").get_data(as_text=True))
        for idea_id in db.session.scalars(select(Idea.id)):
            response = client.get(f"/ideas/{idea_id}")
            assert response.status_code == 200
            audit(response.get_data(as_text=True))
            edit = client.get(f"/ideas/{idea_id}/edit")
            if edit.status_code == 200:
                audit(edit.get_data(as_text=True))


def test_a_refused_form_echoes_the_payload_escaped(client, login, make):
    login(make.user("customer"))
    payload = '"><script>alert(1)</script>'
    response = client.post(
        "/ideas/new", data={"title": payload, "body": payload, "category": "no-such", "kind": "x"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    audit(html)
    assert str(escape(payload)) in html


def test_titles_are_escaped_and_shown_literally(client, make):
    author = make.user("customer")
    idea = make.idea(author=author, title="Support <T> in lists", body="Use `List<T>` & co.")
    for path in ("/", "/ideas", f"/ideas/{idea.id}"):
        html = client.get(path).get_data(as_text=True)
        assert "Support &lt;T&gt; in lists" in html, path
        assert "Support <T> in lists" not in html, path
    parsed = audit(client.get(f"/ideas/{idea.id}").get_data(as_text=True))
    assert parsed.texts["h1"] == ["Support <T> in lists"]
    assert parsed.texts["title"][0].startswith("Support <T> in lists")
    cards = audit(client.get("/ideas").get_data(as_text=True))
    assert "Support <T> in lists" in cards.texts["h3"]
    api = client.get(f"{API}/ideas/{idea.id}").get_json()
    assert api["title"] == "Support <T> in lists"
    assert "<code>List&lt;T&gt;</code>" in api["body_html"]
    assert "&amp; co." in api["body_html"]


def test_markdown_links_keep_safe_schemes_only(client, make, token_for):
    user = make.user()
    category = make.category()
    body = (
        "[ok](https://example.com) [mail](mailto:a@example.com) [bad](javascript:alert(1)) "
        "[worse](data:text/html;base64,PHNjcmlwdD4=) [vb](vbscript:msgbox(1)) <javascript:alert(1)>"
    )
    idea = client.post(
        f"{API}/ideas",
        json={"title": "Links everywhere", "body": body, "category": category.slug},
        headers=token_for(user),
    ).get_json()
    parsed = audit(idea["body_html"], MARKDOWN_TAGS)
    hrefs = [attrs.get("href") for tag, attrs in parsed.tags if tag == "a"]
    assert "https://example.com" in hrefs and "mailto:a@example.com" in hrefs
    assert all(h and h.startswith(("https:", "mailto:")) for h in hrefs), hrefs
    for tag, attrs in parsed.tags:
        if tag == "a":
            assert "nofollow" in (attrs.get("rel") or "")


# --- headers and cookies -------------------------------------------------------------------------


def _csp(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no CSP on {response.request.path}"
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


@pytest.mark.parametrize(
    "path",
    ["/", "/ideas", "/login", "/register", "/no-such-page", f"{API}/ideas", f"{API}/nope", "/api"],
)
def test_security_headers(client, path):
    response = client.get(path)
    csp = _csp(response)
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts, csp
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, scripts
    assert "*" not in scripts and "data:" not in scripts
    assert csp.get("frame-ancestors") in (["'none'"], ["'self'"]), csp
    assert csp.get("object-src") == ["'none'"] or csp.get("default-src") == ["'none'"]
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("X-Frame-Options", "DENY").upper() in ("DENY", "SAMEORIGIN")


def test_only_the_api_reference_allows_styles_it_names(client):
    """/api lets Redoc's CSS-in-JS write <style> elements carrying this response's nonce, and
    load its data: font; every other page keeps style-src 'self' only."""
    first, second = client.get("/api"), client.get("/api")
    assert first.status_code == 200
    styles = _csp(first)["style-src"]
    assert styles[0] == "'self'" and len(styles) == 2 and styles[1].startswith("'nonce-")
    assert "'unsafe-inline'" not in styles and _csp(first)["font-src"] == ["'self'", "data:"]
    nonce = styles[1][len("'nonce-") : -1]
    assert f'<meta property="csp-nonce" content="{nonce}">' in first.get_data(as_text=True)
    assert _csp(second)["style-src"] != styles, "a nonce is used once"
    assert _csp(first)["script-src"] == ["'self'"]
    for path in ("/", "/ideas", f"{API}/openapi.json"):
        assert _csp(client.get(path))["style-src"] == ["'self'"], path


def test_the_vendored_api_renderer_fetches_nothing_from_elsewhere():
    """Redoc's bundle is vendored with its attribution logo as a data: URI (its CDN address
    would break the CSP and the offline promise); static/vendor/README.md says how."""
    bundle = (ROOT / "static/vendor/redoc/redoc.standalone.js").read_text(encoding="utf-8")
    assert "Version: 3.0.1" in bundle[:300]
    assert "cdn.redoc.ly" not in bundle


def test_session_cookie_is_http_only_and_same_site(client, make):
    user = make.user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    cookies = [v for k, v in response.headers.items() if k.lower() == "set-cookie"]
    session = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session
    assert "SameSite=Lax" in session or "SameSite=Strict" in session


@pytest.mark.parametrize(
    "target",
    ["//evil.example/steal", "https://evil.example/", "javascript:alert(1)", "/\\evil.example",
     "\\\\evil.example", " //evil.example"],
)  # fmt: skip
def test_sign_in_never_redirects_off_site(client, make, target):
    user = make.user()
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "evil" not in location and "javascript" not in location, location


# --- CSRF (enabled) -------------------------------------------------------------------------------
#
# These tests build a second app on the same database. Its requests each get their own app
# context (as in production), while test data is made in the `app` fixture's context: values
# are copied out and that session's transaction released before the second app writes.


def released(*values):
    """End the test session's transaction (SQLite: let the other app write) and pass values on."""
    db.session.rollback()
    return values[0] if len(values) == 1 else values


@pytest.fixture
def strict(app, database_url):
    """A client of the portal with CSRF protection on, as in production."""
    strict_app = make_test_app(database_url, WTF_CSRF_ENABLED=True)
    yield strict_app.test_client()
    with strict_app.app_context():
        db.engine.dispose()


def strict_login(client, email) -> None:
    token = csrf_token_in(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def test_sign_in_needs_the_csrf_token(strict, make):
    email = released(make.user().email)
    response = strict.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert not signed_in(strict)
    forged = {"email": email, "password": PASSWORD, "csrf_token": "forged"}
    assert strict.post("/login", data=forged).status_code == 400
    assert not signed_in(strict)
    strict_login(strict, email)
    assert signed_in(strict)


def test_register_needs_the_csrf_token(strict):
    form = {
        "display_name": "New Person",
        "email": "new.person@example.com",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "kind": "customer",
        "organization": "0",
    }
    response = strict.post("/register", data=form)
    assert response.status_code == 400
    assert count(User) == 0
    token = csrf_token_in(strict.get("/register").get_data(as_text=True))
    response = strict.post("/register", data={**form, "csrf_token": token})
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    assert "Check your inbox" in response.get_data(as_text=True)
    assert count(User) == 1
    # Not signed in: the link in the e-mail does that (SPEC 4).
    assert not signed_in(strict)


def test_posting_voting_commenting_following_need_the_csrf_token(strict, make):
    category = make.category()
    idea = make.idea(author=make.user(), category=category)
    email, slug, idea_id = released(make.user().email, category.slug, idea.id)
    strict_login(strict, email)
    form = {"title": "Forged idea title", "body": "x", "category": slug, "kind": "idea"}

    assert strict.post("/ideas/new", data=form).status_code == 400
    assert strict.post(f"/ideas/{idea_id}/vote").status_code == 400
    assert strict.post(f"/ideas/{idea_id}/comments", data={"body": "Forged"}).status_code == 400
    assert strict.post(f"/ideas/{idea_id}/follow").status_code == 400
    # An htmx request is checked the same way (its forms carry the token).
    assert strict.post(f"/ideas/{idea_id}/vote", headers={"HX-Request": "true"}).status_code == 400
    # A token from another session does not do either.
    other = strict.application.test_client()
    foreign = csrf_token_in(other.get("/login").get_data(as_text=True))
    assert strict.post(f"/ideas/{idea_id}/vote", data={"csrf_token": foreign}).status_code == 400
    assert (count(Idea), count(Comment), count(Vote)) == (1, 0, 1)

    token = csrf_token_in(strict.get("/ideas/new").get_data(as_text=True))
    response = strict.post("/ideas/new", data={**form, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    token = csrf_token_in(strict.get(f"/ideas/{idea_id}").get_data(as_text=True))
    assert strict.post(f"/ideas/{idea_id}/vote", data={"csrf_token": token}).status_code == 302
    response = strict.post(
        f"/ideas/{idea_id}/comments", data={"body": "Real comment", "csrf_token": token}
    )
    assert response.status_code == 302
    assert (count(Idea), count(Comment), count(Vote)) == (2, 1, 3)


def test_sign_out_needs_a_post_with_the_csrf_token(strict, make):
    strict_login(strict, released(make.user().email))
    page = strict.get("/logout")
    assert page.status_code == 200 and signed_in(strict)
    html = page.get_data(as_text=True)
    assert re.search(r'<form[^>]+method="post"[^>]+action="/logout"', html)
    assert strict.post("/logout").status_code == 400
    assert signed_in(strict)
    response = strict.post("/logout", data={"csrf_token": csrf_token_in(html)})
    assert response.status_code == 302
    assert not signed_in(strict)


def test_the_api_needs_no_csrf_token(strict, make, token_for):
    user = make.user()
    headers, slug = released(token_for(user), make.category().slug)
    response = strict.post(
        f"{API}/ideas", json={"title": "Posted by a script", "category": slug}, headers=headers
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    response = strict.delete(f"{API}/ideas/{response.get_json()['id']}/vote", headers=headers)
    assert response.status_code == 200
    assert response.get_json() == {"votes": 0, "viewer_has_voted": False}


def test_get_logout_never_signs_out(strict, make):
    strict_login(strict, released(make.user().email))
    for query in ("", "?next=/", "?confirm=1"):
        response = strict.get(f"/logout{query}")
        assert response.status_code == 200
        assert signed_in(strict)
    assert strict.get("/ideas").status_code == 200
    assert signed_in(strict)


# --- session fixation -----------------------------------------------------------------------------


def test_sign_in_replaces_the_session(strict, make):
    email = released(make.user().email)
    page = strict.get("/login")
    before = strict.get_cookie("session")
    assert before is not None, "the sign-in page sets a session (for its CSRF token)"
    with strict.session_transaction() as session:
        session["planted"] = "by an attacker"
    planted = strict.get_cookie("session").value
    token = csrf_token_in(page.get_data(as_text=True))
    response = strict.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    after = strict.get_cookie("session").value
    assert after not in (before.value, planted)
    with strict.session_transaction() as session:
        assert "planted" not in session
        assert session.get("_user_id")
    # The cookie from before sign-in, replayed, is still anonymous.
    replay = strict.application.test_client()
    replay.set_cookie("session", planted)
    assert not signed_in(replay)
    assert signed_in(strict)


def test_confirming_the_address_replaces_the_session(strict):
    page = strict.get("/register")
    response = strict.post(
        "/register",
        data={"display_name": "Fresh", "email": "fresh@example.com", "password": PASSWORD,
              "confirm": PASSWORD, "kind": "customer", "organization": "0",
              "csrf_token": csrf_token_in(page.get_data(as_text=True))},
    )  # fmt: skip
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    link = released(confirmation_path("fresh@example.com"))
    page = strict.get(link)
    with strict.session_transaction() as session:
        session["planted"] = "by an attacker"
    planted = strict.get_cookie("session").value
    response = strict.post(link, data={"csrf_token": csrf_token_in(page.get_data(as_text=True))})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert strict.get_cookie("session").value != planted
    with strict.session_transaction() as session:
        assert "planted" not in session
    assert signed_in(strict)


# --- rate limits ----------------------------------------------------------------------------------


@pytest.fixture
def limited(app, database_url):
    """A client with small sign-in limits (made last: the limiter object is global)."""
    limited_app = make_test_app(
        database_url,
        RATELIMIT_ENABLED=True,
        LOGIN_LIMIT_PER_ACCOUNT="3 per minute",
        LOGIN_LIMIT_PER_ADDRESS="5 per minute",
    )
    yield limited_app.test_client()
    with limited_app.app_context():
        db.engine.dispose()


def sign_in(client, email, password, address="127.0.0.1"):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def assert_rate_limited(response) -> None:
    assert response.status_code == 429, response.get_data(as_text=True)[:500]
    retry_after = response.headers.get("Retry-After")
    assert retry_after is not None, dict(response.headers)
    assert retry_after.isdigit() and 0 < int(retry_after) <= 60, retry_after
    text = response.get_data(as_text=True).lower()
    assert "too many failed sign-ins" in text
    # The message says when to try again, in line with Retry-After.
    when = re.search(r"try again in (\d+) (second|minute)", text)
    assert when, text[-800:]
    seconds = int(when.group(1)) * (60 if when.group(2) == "minute" else 1)
    assert abs(seconds - int(retry_after)) <= 60


def test_failed_sign_ins_are_limited_per_account(limited, make):
    victim, bystander = released(make.user().email, make.user().email)
    for _ in range(3):
        response = sign_in(limited, victim, "wrong password")
        assert response.status_code == 200
        assert "not right" in response.get_data(as_text=True)
    assert_rate_limited(sign_in(limited, victim, "wrong password"))
    # Over the limit even the right password waits: guessing gains nothing.
    assert_rate_limited(sign_in(limited, victim, PASSWORD))
    assert_rate_limited(sign_in(limited, victim.upper(), PASSWORD))
    assert_rate_limited(sign_in(limited, victim, PASSWORD, "10.9.9.9"))
    assert not signed_in(limited)
    # Another account from the same address is not locked out.
    assert sign_in(limited, bystander, PASSWORD).status_code == 302


def test_failed_sign_ins_are_limited_per_address(limited, make):
    email = released(make.user().email)
    for n in range(5):
        response = sign_in(limited, f"nobody{n}@example.com", "guess", "10.0.0.1")
        assert response.status_code == 200
    assert_rate_limited(sign_in(limited, "nobody9@example.com", "guess", "10.0.0.1"))
    assert_rate_limited(sign_in(limited, email, PASSWORD, "10.0.0.1"))
    # Someone else, elsewhere, signs in.
    assert sign_in(limited, email, PASSWORD, "10.0.0.2").status_code == 302


def test_successful_sign_ins_do_not_count(limited, make):
    email = released(make.user().email)
    for _ in range(8):  # more than either limit
        assert sign_in(limited, email, PASSWORD).status_code == 302
    for _ in range(3):
        assert sign_in(limited, email, "wrong password").status_code == 200
    assert_rate_limited(sign_in(limited, email, "wrong password"))


def test_the_sign_in_page_itself_is_not_limited(limited, make):
    email = released(make.user().email)
    for _ in range(4):
        sign_in(limited, email, "wrong password")
    for _ in range(10):
        assert limited.get("/login").status_code == 200


def test_api_429_has_the_spec_error_shape_and_retry_after(app, database_url):
    # No API route has a limit reachable in a few requests, so this mounts one limited
    # route under /api/v1 on a fresh app: it checks how the app answers a 429 there.
    limited_app = make_test_app(database_url, RATELIMIT_ENABLED=True)

    @limiter.limit("2 per minute")
    def security_probe_limited():
        return {"ok": True}

    limited_app.add_url_rule(f"{API}/_probe/limited", view_func=security_probe_limited)
    client = limited_app.test_client()
    assert client.get(f"{API}/_probe/limited").status_code == 200
    assert client.get(f"{API}/_probe/limited").status_code == 200
    response = client.get(f"{API}/_probe/limited")
    assert response.status_code == 429
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == "rate_limited"
    retry_after = response.headers.get("Retry-After")
    assert retry_after and retry_after.isdigit() and 0 < int(retry_after) <= 60
    assert re.search(r"try again in \d+ second", body["error"]["message"]), body
    with limited_app.app_context():
        db.engine.dispose()
