"""The webhooks admin page: register, refuse unsafe URLs, deactivate, delete, the delivery log."""

import hashlib
import hmac
import json
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.notify import webhook_http
from portal.notify.models import WEBHOOK_EVENTS, OutboxMessage, Webhook
from tests.conftest import PASSWORD, make_test_app

PUBLIC_IP = "93.184.216.34"


@pytest.fixture
def resolve(monkeypatch):
    """Make name resolution answer `addresses[host]` (an address or a list; None: no such
    name). Only the one look-up seam is replaced: there is no DNS here, and nothing is reached."""
    addresses = {}
    real = webhook_http.resolve

    def fake(host):
        if host not in addresses:
            return real(host)
        answer = addresses[host]
        if answer is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [answer] if isinstance(answer, str) else list(answer)

    monkeypatch.setattr(webhook_http, "resolve", fake)
    return addresses


@pytest.fixture
def admin(make, client, login):
    user = make.user(kind="staff", role="admin", name="Ada Admin")
    login(user)
    return user


def form(url, events=WEBHOOK_EVENTS, secret="s3cret-s3cret-s3cret-s3cret"):
    return {"url": url, "secret": secret, "events": list(events)}


def hooks() -> list[Webhook]:
    db.session.commit()  # a fresh snapshot: the requests committed in sessions of their own
    return list(db.session.scalars(select(Webhook).order_by(Webhook.id)))


def test_the_page_offers_a_random_secret_and_every_event(client, admin):
    html = client.get("/admin/webhooks").get_data(as_text=True)
    assert "<h1>Webhooks</h1>" in html and "No webhooks yet." in html
    secret = re.search(r'id="secret"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*id="secret"', html)
    assert secret and len(secret.group(1) or secret.group(2)) >= 32
    for event in WEBHOOK_EVENTS:
        assert re.search(rf'<input checked[^>]*value="{re.escape(event)}"', html), event
    # Another visit offers another secret.
    again = client.get("/admin/webhooks").get_data(as_text=True)
    assert (secret.group(1) or secret.group(2)) not in again
    # The admin page links here.
    assert 'href="/admin/webhooks"' in client.get("/admin").get_data(as_text=True)


def test_admin_registers_a_webhook(client, admin, resolve):
    resolve["hooks.example.com"] = PUBLIC_IP
    response = client.post(
        "/admin/webhooks",
        data=form("https://hooks.example.com/portal", ["item.status_changed", "idea.created"]),
    )
    assert response.status_code == 302 and response.headers["Location"] == "/admin/webhooks"
    [hook] = hooks()
    assert hook.url == "https://hooks.example.com/portal" and hook.active
    assert hook.event_list == ["idea.created", "item.status_changed"]  # in the usual order
    assert hook.secret == "s3cret-s3cret-s3cret-s3cret"

    html = client.get("/admin/webhooks").get_data(as_text=True)
    assert "Webhook registered: https://hooks.example.com/portal" in html
    assert "https://hooks.example.com/portal" in html and "Active" in html
    assert "s3cret-s3cret-s3cret-s3cret" not in html  # shown in full only while typing it


@pytest.mark.parametrize(
    ("url", "address", "message"),
    [
        ("http://127.0.0.1:8080/hook", None, "loopback or private networks are not allowed"),
        ("http://localhost/hook", None, "loopback or private networks are not allowed"),
        ("https://intranet.example.com/hook", "10.1.2.3", "loopback or private networks"),
        ("https://metadata.example.com/", "169.254.169.254", "loopback or private networks"),
        ("ftp://files.example.com/hook", None, "Use an http:// or https:// address."),
        ("not a url", None, "Use an http:// or https:// address."),
        ("", None, "This field is required."),
    ],
)
def test_unsafe_or_bad_urls_are_refused_with_a_form_error(client, admin, resolve, url, address,
                                                          message):  # fmt: skip
    if address:
        resolve[url.split("/")[2]] = address
    response = client.post("/admin/webhooks", data=form(url))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'<small class="field-error" role="alert">[^<]*' + re.escape(message), html)
    assert 'aria-invalid="true"' in html
    assert hooks() == []


NOT_PUBLIC = "loopback or private networks are not allowed"
BAD_HOST = "The host name is not valid"


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("100.64.0.1", "shared (carrier-grade NAT)"),
        ("100.127.255.254", "shared (carrier-grade NAT)"),
        ("224.0.0.251", "multicast"),
        ("239.255.255.250", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "broadcast"),
        ("0.0.0.0", "unspecified"),
        ("192.0.2.10", "documentation"),
        ("198.18.0.1", "benchmarking"),
        ("172.31.255.255", "private"),
        ("::", "unspecified"),
        ("::1", "loopback"),
        ("fd12:3456::1", "unique local"),
        ("fe80::1", "link-local"),
        ("ff02::1", "multicast"),
        ("ff0e::1", "global-scope multicast"),
        ("::ffff:10.0.0.1", "IPv4-mapped private"),
        ("2002:a00:1::1", "6to4 of a private address"),
        ("64:ff9b::7f00:1", "NAT64 of loopback"),
        ("2001:db8::1", "documentation"),
    ],
)
def test_addresses_that_are_not_public_unicast_are_refused(client, admin, resolve, address, kind):
    resolve["hooks.example.com"] = address
    literal = f"[{address}]" if ":" in address else address
    for url in (f"http://{literal}/hook", "https://hooks.example.com/hook"):
        response = client.post("/admin/webhooks", data=form(url))
        assert response.status_code == 422, (kind, url)
        html = response.get_data(as_text=True)
        assert re.search(r'<small class="field-error" role="alert">[^<]*' + NOT_PUBLIC, html), url
    assert hooks() == []


def test_a_name_is_refused_when_any_of_its_addresses_is_private(client, admin, resolve):
    resolve["hooks.example.com"] = [PUBLIC_IP, "10.0.0.7"]
    response = client.post("/admin/webhooks", data=form("https://hooks.example.com/hook"))
    assert response.status_code == 422
    assert "hooks.example.com is at 10.0.0.7, not a public address" in response.get_data(
        as_text=True
    )
    assert hooks() == []


def test_a_name_that_does_not_resolve_is_refused(client, admin, resolve):
    resolve["nowhere.example.com"] = None
    response = client.post("/admin/webhooks", data=form("https://nowhere.example.com/hook"))
    assert response.status_code == 422
    assert "The host name nowhere.example.com does not resolve." in response.get_data(as_text=True)
    assert hooks() == []


@pytest.mark.parametrize("allow_private", [False, True])
@pytest.mark.parametrize(
    ("url", "message"),
    [
        (f"https://{'a' * 70}.example.com/hook", BAD_HOST),  # a label over 63 characters
        (f"https://{'ab.' * 90}example.com/hook", BAD_HOST),  # over 253 in all
        ("https://hooks..example.com/hook", BAD_HOST),
        ("https://-hooks.example.com/hook", BAD_HOST),
        ("https://hooks example.com/hook", BAD_HOST),
        ("https://hooks.example.com:99999/hook", "not a valid URL"),
        ("https://hooks.example.com:0/hook", "The port must be"),
        ("https://hooks.example.com:http/hook", "not a valid URL"),
        ("http://[::1/hook", "not a valid URL"),
        ("https://user:pass@hooks.example.com/hook", "Leave user names and passwords out"),
    ],
)
def test_malformed_urls_are_a_form_error_not_a_500(app, client, admin, resolve, allow_private,
                                                   url, message):  # fmt: skip
    app.config["WEBHOOK_ALLOW_PRIVATE"] = allow_private
    response = client.post("/admin/webhooks", data=form(url))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'<small class="field-error" role="alert">[^<]*' + re.escape(message), html)
    assert hooks() == []


def test_international_names_are_checked_in_their_ascii_form(client, admin, resolve):
    resolve["xn--bcher-kva.example"] = PUBLIC_IP
    response = client.post("/admin/webhooks", data=form("https://bücher.example/hook"))
    assert response.status_code == 302
    resolve["xn--bcher-kva.example"] = "192.168.0.1"
    response = client.post("/admin/webhooks", data=form("https://bücher.example/other"))
    assert response.status_code == 422 and NOT_PUBLIC in response.get_data(as_text=True)


def test_other_mistakes_are_shown_beside_their_fields(client, admin, resolve):
    resolve["hooks.example.com"] = PUBLIC_IP
    no_events = client.post("/admin/webhooks", data=form("https://hooks.example.com/a", []))
    assert no_events.status_code == 422
    assert "Choose at least one event." in no_events.get_data(as_text=True)
    short = client.post("/admin/webhooks", data=form("https://hooks.example.com/a", secret="x"))
    assert short.status_code == 422
    assert "between 16 and 200 characters" in short.get_data(as_text=True)
    unknown = client.post("/admin/webhooks", data=form("https://hooks.example.com/a", ["x.y"]))
    assert unknown.status_code == 422
    assert hooks() == []
    # The same URL twice (while the first is active) is refused.
    first = client.post("/admin/webhooks", data=form("https://hooks.example.com/a"))
    assert first.status_code == 302
    again = client.post("/admin/webhooks", data=form("https://hooks.example.com/a"))
    assert again.status_code == 422
    assert "An active webhook already sends to this URL." in again.get_data(as_text=True)
    assert len(hooks()) == 1


def test_private_addresses_are_allowed_when_configured(app, client, admin):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    response = client.post("/admin/webhooks", data=form("http://127.0.0.1:9/hook"))
    assert response.status_code == 302
    assert [h.url for h in hooks()] == ["http://127.0.0.1:9/hook"]


def test_deactivate_activate_and_delete(app, client, admin):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    client.post("/admin/webhooks", data=form("http://127.0.0.1:9/hook"))
    [hook] = hooks()
    db.session.add(OutboxMessage(kind="webhook", recipient=hook.url, subject="idea.created",
                                 webhook_id=hook.id, sent_at=hook.created_at))  # fmt: skip
    db.session.commit()

    response = client.post(f"/admin/webhooks/{hook.id}/deactivate")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/webhooks"
    assert hooks()[0].active is False
    html = client.get("/admin/webhooks").get_data(as_text=True)
    assert "is deactivated" in html and "Inactive" in html and ">Activate</button>" in html

    client.post(f"/admin/webhooks/{hook.id}/activate")
    assert hooks()[0].active is True

    response = client.post(f"/admin/webhooks/{hook.id}/delete")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/webhooks"
    assert hooks() == []
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0  # its log went too
    assert client.post(f"/admin/webhooks/{hook.id}/delete").status_code == 404
    assert client.get(f"/admin/webhooks/{hook.id}").status_code == 404


@pytest.mark.parametrize("role", ["customer", "supplier", "staff", "moderator"])
def test_only_admins_may_see_or_change_webhooks(app, client, make, login, role):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    hook = Webhook(url="http://127.0.0.1:9/hook", secret="s" * 20, events="idea.created")
    db.session.add(hook)
    db.session.commit()
    kind, user_role = {"customer": ("customer", "member"), "supplier": ("supplier", "member"),
                       "staff": ("staff", "member"),
                       "moderator": ("customer", "moderator")}[role]  # fmt: skip
    login(make.user(kind=kind, role=user_role))
    for method, path, data in [
        ("get", "/admin/webhooks", None),
        ("post", "/admin/webhooks", form("http://127.0.0.1:9/other")),
        ("get", f"/admin/webhooks/{hook.id}", None),
        ("post", f"/admin/webhooks/{hook.id}/deactivate", None),
        ("post", f"/admin/webhooks/{hook.id}/activate", None),
        ("post", f"/admin/webhooks/{hook.id}/delete", None),
    ]:
        response = getattr(client, method)(path, data=data)
        assert response.status_code == 403, (method, path)
    assert [(h.url, h.active) for h in hooks()] == [("http://127.0.0.1:9/hook", True)]
    assert 'href="/admin/webhooks"' not in client.get("/").get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/admin/webhooks")
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]
    assert client.post("/admin/webhooks", data=form("https://a.example.com/")).status_code == 302
    assert hooks() == []


def test_forms_need_the_csrf_token(database_url, make):
    app = make_test_app(database_url, WTF_CSRF_ENABLED=True, WEBHOOK_ALLOW_PRIVATE=True)
    admin = make.user(kind="staff", role="admin")
    hook = Webhook(url="http://127.0.0.1:9/hook", secret="s" * 20, events="idea.created")
    db.session.add(hook)
    db.session.commit()
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    signed = client.post("/login", data={"email": admin.email, "password": PASSWORD,
                                         "csrf_token": token})  # fmt: skip
    assert signed.status_code == 302
    assert client.post("/admin/webhooks", data=form("http://127.0.0.1:9/x")).status_code == 400
    assert client.post(f"/admin/webhooks/{hook.id}/delete").status_code == 400
    assert client.post(f"/admin/webhooks/{hook.id}/deactivate").status_code == 400
    assert [(h.url, h.active) for h in hooks()] == [("http://127.0.0.1:9/hook", True)]
    # With the page's token it works.
    html = client.get("/admin/webhooks").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = client.post(f"/admin/webhooks/{hook.id}/deactivate", data={"csrf_token": token})
    assert response.status_code == 302 and hooks()[0].active is False


class Receiver:
    """A local HTTP server: /ok answers 204, anything else 500; it keeps what it got."""

    def __init__(self):
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((self.path, dict(self.headers), body))
                self.send_response(204 if self.path == "/ok" else 500)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


def test_the_delivery_log_shows_each_webhooks_deliveries(app, client, admin, make, receiver):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    secret = "a-secret-of-enough-length"
    client.post("/admin/webhooks", data=form(f"{receiver.url}/ok", ["idea.created"], secret))
    client.post("/admin/webhooks", data=form(f"{receiver.url}/fail", ["idea.created"], secret))
    ok, failing = hooks()

    # A public idea is posted: both receivers are called once (the outbox drains on commit).
    idea = make.idea(title="Webhook me, please")
    received = sorted(receiver.received)
    assert [path for path, _h, _b in received] == ["/fail", "/ok"]
    _path, headers, body = received[1]
    assert json.loads(body)["data"]["idea"]["title"] == "Webhook me, please"
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Portal-Signature"] == expected

    html = client.get(f"/admin/webhooks/{ok.id}").get_data(as_text=True)
    assert "<h1>Webhook deliveries</h1>" in html and f"{receiver.url}/ok" in html
    rows = re.findall(r"<tr>\s*<td><code>(.*?)</code></td>(.*?)</tr>", html, re.S)
    assert len(rows) == 1 and rows[0][0] == "idea.created"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", rows[0][1], re.S)
    assert cells[1:3] == ["1", "204"]  # attempts, last status
    assert "Sent" in cells[4] and "<time" in cells[4]

    html = client.get(f"/admin/webhooks/{failing.id}").get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<td><code>(.*?)</code></td>(.*?)</tr>", html, re.S)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", rows[0][1], re.S)
    assert cells[1:4] == ["1", "500", "HTTP 500"]
    assert "Pending" in cells[4] and "next attempt" in cells[4]

    # The list counts them; a webhook's log shows only its own (the last 50).
    listing = client.get("/admin/webhooks").get_data(as_text=True)
    assert "1 sent · 0 pending · 0 failed" in listing
    assert "0 sent · 1 pending · 0 failed" in listing
    for n in range(60):
        db.session.add(OutboxMessage(kind="webhook", recipient=ok.url, subject="idea.created",
                                     webhook_id=ok.id, body=str(n), failed_at=idea.created_at,
                                     attempts=15, last_error=f"error {n}"))  # fmt: skip
    db.session.commit()
    html = client.get(f"/admin/webhooks/{ok.id}").get_data(as_text=True)
    assert html.count("<tr>") == 1 + 50  # the header row and 50 deliveries
    assert "error 59" in html and "error 9<" not in html and "Failed" in html
    assert "HTTP 500" not in html
