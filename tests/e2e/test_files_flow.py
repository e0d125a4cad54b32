"""Pictures in a real browser (SPEC 16): picked in the new-idea and comment forms, with
JavaScript (uploaded at once, Markdown put in the text) and without (sent with the post),
then shown inline on the idea page."""

import io
import re

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.e2e.helpers import CUSTOMER, unique

pytestmark = pytest.mark.browser
LOADED = "img => img.complete && img.naturalWidth > 0"


def sketch() -> bytes:
    """A small drawing of a dishwasher rack, as someone would attach to an idea."""
    image = Image.new("RGB", (640, 360), (246, 248, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 600, 320), outline=(40, 70, 120), width=6)
    for x in range(80, 580, 40):
        draw.line((x, 60, x, 300), fill=(90, 130, 190), width=4)
    draw.rectangle((60, 250, 580, 300), fill=(255, 196, 60))
    draw.ellipse((270, 120, 370, 220), outline=(200, 40, 40), width=8)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def picked(name: str) -> dict:
    return {"name": name, "mimeType": "image/png", "buffer": sketch()}


def test_pick_a_picture_in_the_new_idea_form_and_see_it_inline(open_page, js, screenshot_dir):
    page = open_page(CUSTOMER)
    page.goto("/ideas/new")
    title = unique("Taller rack for big pans (sketch attached)")
    page.get_by_label("Title").fill(title)
    details = page.get_by_label("Details")
    details.fill("The upper rack should fold, like this:")
    chooser = page.get_by_label("Pictures or files")
    if js:
        with page.expect_response(lambda r: r.url.endswith("/files") and r.request.method == "POST"
                                  ) as info:  # fmt: skip
            chooser.set_input_files(picked("rack sketch.png"))
        assert info.value.status == 201
        expect(details).to_have_value(
            re.compile(r"like this:\n\n!\[rack-sketch\.png\]\(/files/\d+/rack-sketch\.png\)\n\n$")
        )
        expect(page.locator(".upload-status")).to_have_text("rack-sketch.png added to the text.")
        assert chooser.evaluate("input => input.files.length") == 0  # not sent twice
    else:
        chooser.set_input_files(picked("rack sketch.png"))
    page.get_by_label("Category").select_option("feature-ideas")
    page.get_by_role("button", name="Post idea").click()

    expect(page).to_have_url(re.compile(r"/ideas/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    picture = page.locator(".idea-body img")
    expect(picture).to_have_count(1)
    expect(picture).to_have_attribute("src", re.compile(r"^/files/\d+/rack-sketch\.png$"))
    expect(picture).to_have_attribute("alt", "rack-sketch.png")
    expect(picture).to_have_attribute("loading", "lazy")
    picture.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=picture.element_handle()
    )
    assert picture.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [640, 360]
    if js:
        page.locator(".idea-detail").screenshot(path=str(screenshot_dir / "idea-with-image.png"))


def test_a_picture_in_a_comment(open_page, js, make_idea):
    idea_id = make_idea(title=unique("A comment with a picture"))
    page = open_page(CUSTOMER)
    page.goto(f"/ideas/{idea_id}")
    form = page.locator("form.comment-form")
    chooser = form.get_by_label("Pictures or files")
    if js:
        with page.expect_response(lambda r: r.url.endswith("/files")) as info:
            chooser.set_input_files(picked("noise.png"))
        assert info.value.status == 201
        expect(form.get_by_label("Your comment")).to_have_value(re.compile(r"noise\.png\)"))
    else:
        chooser.set_input_files(picked("noise.png"))
    form.get_by_role("button", name="Post comment").click()
    picture = page.locator("#discussion .comment .markdown img")
    expect(picture).to_have_count(1)
    expect(picture).to_have_attribute("src", re.compile(r"^/files/\d+/noise\.png$"))
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=picture.element_handle()
    )
