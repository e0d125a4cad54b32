"""Shared names and small helpers of the browser tests."""

import itertools
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, Response

PASSWORD = "demo-password"
CUSTOMER = "customer@example.com"
STAFF = "staff@example.com"
ADMIN = "admin@example.com"
SUPPLIER = "supplier@acme.example.com"
# Helper-made ideas are written by a staff member nobody signs in as in these tests, so the
# signed-in users start with no vote, no follow and no comment on them.
IDEA_AUTHOR = "elena.rossi@example.com"
SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# Recorded by an init script (Playwright's init scripts are not subject to the page's CSP).
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline"));
});
"""
_serial = itertools.count(1)


def unique(prefix: str) -> str:
    """A string no other test uses (the database is shared by the whole session)."""
    return f"{prefix} {next(_serial)}"


def is_htmx(response: Response) -> bool:
    return response.request.headers.get("hx-request") == "true"


def mark_document(page: Page) -> None:
    """Tag the live document: the tag survives an htmx swap and dies with a page load."""
    page.evaluate("window.__e2eDocument = 'still here'")


def assert_same_document(page: Page, url: str) -> None:
    """The page did not navigate: same URL, same document (htmx swapped in place)."""
    assert page.url == url
    assert page.evaluate("window.__e2eDocument") == "still here", "the page was reloaded"


def submit(page: Page, js: bool, action: Callable[[], None], method: str = "POST") -> None:
    """Run an action that submits a form, and check how it was submitted.

    With JavaScript, htmx must send it (HX-Request), get a 2xx and leave the page the same
    document at the same URL (check again with `assert_same_document` after the swap shows).
    Without, the browser must navigate: a plain form post, a redirect, a new page.
    """
    if js:
        mark_document(page)
        url = page.url
        with page.expect_response(lambda r: is_htmx(r) and r.request.method == method) as info:
            action()
        assert info.value.ok, f"htmx {method} {info.value.url} answered {info.value.status}"
        assert_same_document(page, url)
    else:
        with page.expect_navigation() as navigation:
            action()
        assert navigation.value is not None and navigation.value.ok


def open_tracked(pages, user=None, **options) -> Page:
    page = pages.open(user, **options)
    page.context.add_init_script(CSP_RECORDER)
    failed = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.failed_responses = failed
    return page


def visit(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, (
        f"{path}: {response and response.status}"
    )
    violations = page.evaluate("window.__cspViolations")
    assert violations == [], f"CSP violations on {path}: {violations}"
    assert page.failed_responses == [], f"failed requests on {path}: {page.failed_responses}"


def forgive(pages, status: int, path: str) -> None:
    """Drop the console errors an expected error answer causes, and only those.

    Chromium logs every 4xx answer ("Failed to load resource"), and htmx logs the ones it
    swaps in as errors ("Response Status Error Code 409 from /flags").
    """
    pages.errors[:] = [e for e in pages.errors if not (str(status) in e and path in e)]
