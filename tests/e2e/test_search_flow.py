"""The search page in a real browser: its order applies on change, like the list filters."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import CUSTOMER, is_htmx, mark_document

pytestmark = pytest.mark.browser


def test_the_order_applies_on_change(pages, live_server):
    page = pages.open(CUSTOMER)
    page.goto("/search?q=oven")
    mark_document(page)
    url = page.url
    with page.expect_response(lambda r: is_htmx(r) and "order=votes" in r.url) as info:
        page.get_by_label("Order").select_option("votes")
    assert info.value.ok
    expect(page).to_have_url(re.compile(r"order=votes"))
    assert page.evaluate("window.__e2eDocument") == "still here", "the page was reloaded"
    assert url != page.url
    results = page.locator("#search-results").inner_text()
    votes = [int(v) for v in re.findall(r"(\d+) votes", results)]
    assert votes == sorted(votes, reverse=True) and votes, votes
