"""The API reference (/api): Redoc draws the OpenAPI document under the page's CSP."""

import re

import pytest
from playwright.sync_api import expect

from portal.api.openapi import openapi_document
from tests.e2e.helpers import DESKTOP, PHONE, open_tracked, visit

pytestmark = pytest.mark.browser


# Redoc's search index (FlexSearch) tries `Function(...)` to see whether it may build a worker;
# the CSP refuses it (no 'unsafe-eval', ever), the library catches that and searches in the
# page instead. That refusal is the one violation this page may report; it logs nothing.
EVAL_PROBE = "script-src blocked eval"


def violations(page) -> list[str]:
    return [v for v in page.evaluate("window.__cspViolations") if v != EVAL_PROBE]


def heading(text: str) -> re.Pattern:
    """Redoc's headings carry a "link to section/…" anchor before their text."""
    return re.compile(rf"(^| ){re.escape(text)}$")


def menu_entry(summary: str) -> re.Pattern:
    """An operation in Redoc's menu: its summary, then its method."""
    return re.compile(rf"^{re.escape(summary)} (get|post|patch|put|delete)$", re.IGNORECASE)


def test_the_api_reference_draws_every_operation(pages, screenshot_dir):
    page = open_tracked(pages, viewport=DESKTOP)
    external = []
    page.on("request", lambda r: None if r.url.startswith(pages.live_server.url) or
            r.url.startswith("data:") else external.append(r.url))  # fmt: skip
    visit(page, "/")
    page.get_by_role("contentinfo").get_by_role("link", name="API").click()
    page.wait_for_url("**/api")
    reference = page.locator("#api-reference")
    # The introduction's sections (SPEC 8), then every operation in the menu; Redoc draws
    # the operations themselves as they scroll into view.
    for section in ("Authentication", "Requests and lists", "Errors"):
        expect(reference.get_by_role("heading", name=heading(section))).to_be_visible()
    summaries = [
        operation["summary"]
        for operations in openapi_document()["paths"].values()
        for operation in operations.values()
    ]
    for summary in summaries:
        expect(reference.get_by_role("link", name=menu_entry(summary))).to_have_count(1)
    assert violations(page) == []
    assert external == [], f"the reference fetched from elsewhere: {external}"
    page.screenshot(path=str(screenshot_dir / "api-reference.png"))
    reference.get_by_role("link", name=menu_entry("Post an idea")).click()
    expect(reference.get_by_role("heading", name=heading("Post an idea"))).to_be_in_viewport()
    expect(reference.get_by_text('"category": "feature-ideas"').first).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "api-reference-operation.png"))
    # Its search works without the worker the CSP refused.
    reference.get_by_text(re.compile("^Search")).first.click()
    page.keyboard.type("moderation")
    expect(page.get_by_text("/moderation/queue").first).to_be_visible()

    phone = open_tracked(pages, viewport=PHONE, is_mobile=True, has_touch=True)
    response = phone.goto("/api")  # not visit(): Redoc's eval probe may come at any moment
    assert response is not None and response.status == 200
    expect(phone.get_by_role("heading", name=heading("Authentication"))).to_be_visible()
    phone.screenshot(path=str(screenshot_dir / "api-reference-phone.png"))
    assert violations(phone) == []
