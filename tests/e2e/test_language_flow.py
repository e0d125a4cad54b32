"""Language in a real browser: a German browser gets the German portal, with relative times
in German too."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_german_browser_reads_the_portal_in_german(pages, screenshot_dir):
    page = pages.open(locale="de-DE")
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Sagen Sie uns, was Northwind Appliances besser machen würde"
    )
    header = page.locator("header.site-header")
    expect(header.get_by_role("link", name="Ideen")).to_be_visible()
    expect(header.get_by_role("link", name="Anmelden")).to_be_visible()
    # Relative times are written by the browser in the page's language.
    expect(page.locator("time").first).to_have_text(
        re.compile(r"vor |in dieser|gestern|letzte|vorgestern")
    )
    page.screenshot(path=str(screenshot_dir / "home-german.png"), full_page=True)


def test_a_german_browser_reads_the_idea_list_and_an_idea_in_german(pages, showcase,
                                                                     screenshot_dir):  # fmt: skip
    page = pages.open("customer@example.com", locale="de-DE")
    page.goto("/ideas")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ideen")
    expect(page.get_by_label("Status")).to_contain_text("Jeder Status")
    expect(page.get_by_role("navigation", name="Sortierung")).to_contain_text("Im Trend")
    expect(page.locator(".list-summary")).to_have_text(re.compile(r"^\d[\d.]* Ideen?$"))
    expect(page.locator(".idea-card").first).to_contain_text(re.compile(r"\d+ Kommentare?"))

    page.goto(f"/ideas/{showcase}")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", name=re.compile("^Diskussion"))).to_be_visible()
    expect(page.locator(".badge.official").first).to_have_text("Offizielle Antwort")
    expect(page.get_by_role("button", name="Kommentar veröffentlichen")).to_be_visible()
    expect(page.get_by_label("Ihr Kommentar", exact=True)).to_be_visible()
    expect(page.locator(".idea-actions")).to_contain_text(re.compile("Folgen|Sie folgen"))
    expect(page.locator(".idea-actions")).to_contain_text("Verlauf")
    page.screenshot(path=str(screenshot_dir / "idea-german.png"), full_page=True)
