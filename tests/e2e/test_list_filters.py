"""The filters of /ideas: in place with htmx (URL pushed), a plain GET form without."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import assert_same_document, is_htmx, mark_document

pytestmark = pytest.mark.browser


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def expect_only_status(page, status_class: str) -> None:
    cards = page.locator("#idea-list .idea-card")
    expect(cards.first).to_be_visible()
    expect(cards.filter(has=page.locator(f".badge.{status_class}"))).to_have_count(cards.count())


def test_filters_update_the_list_in_place_and_push_the_url(pages, live_server):
    page = pages.open(js=True)
    page.goto("/ideas")
    summary = page.locator("#idea-list .list-summary")
    everything = summary.inner_text()
    mark_document(page)

    with page.expect_response(lambda r: is_htmx(r) and "/ideas?" in r.url) as info:
        page.locator("#filter-status").select_option("done")
    assert info.value.ok
    expect(page).to_have_url(re.compile(r"status=done"))
    expect(summary).not_to_have_text(everything)
    expect_only_status(page, "status-done")
    assert query(page.url)["status"] == "done"
    assert_same_document(page, page.url)
    # Only the list was swapped: the form keeps its choice and no second page header exists.
    expect(page.locator("#filter-status")).to_have_value("done")
    expect(page.locator("h1")).to_have_count(1)

    page.locator("#filter-kind").select_option("problem")
    expect(page).to_have_url(re.compile(r"kind=problem"))
    assert query(page.url)["status"] == "done"
    cards = page.locator("#idea-list .idea-card")
    expect(cards.filter(has=page.locator(".badge.kind-problem"))).to_have_count(cards.count())
    assert_same_document(page, page.url)

    # Back goes to the previous filter state; a reload of a pushed URL renders the full page.
    page.go_back()
    expect(page).to_have_url(re.compile(r"status=done&kind=$|status=done$|status=done&"))
    assert query(page.url).get("kind", "") == ""
    expect_only_status(page, "status-done")
    page.reload()
    expect(page.locator("h1")).to_have_text("Ideas")
    expect(page.locator("#filter-status")).to_have_value("done")
    expect_only_status(page, "status-done")


def test_sort_tabs_keep_the_filters_chosen_in_place(pages, live_server):
    page = pages.open(js=True)
    page.goto("/ideas")
    page.locator("#filter-status").select_option("done")
    expect(page).to_have_url(re.compile(r"status=done"))
    page.locator(".sort-tabs").get_by_role("link", name="Top").click()
    expect(page).to_have_url(re.compile(r"sort=top"))
    assert query(page.url).get("status") == "done", page.url
    expect(page.locator("#filter-status")).to_have_value("done")
    expect_only_status(page, "status-done")


def test_filters_without_javascript(pages, live_server):
    page = pages.open(js=False)
    page.goto("/ideas")
    page.locator("#filter-status").select_option("done")
    # The <noscript> button is there only without JavaScript.
    with page.expect_navigation():
        page.get_by_role("button", name="Filter").click()
    assert query(page.url)["status"] == "done"
    expect(page.locator("#filter-status")).to_have_value("done")
    expect_only_status(page, "status-done")
    page.locator(".sort-tabs").get_by_role("link", name="Top").click()
    expect(page).to_have_url(re.compile(r"sort=top"))
    assert query(page.url)["status"] == "done"
    expect_only_status(page, "status-done")
