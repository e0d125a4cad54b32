"""Pictures and files on ideas and comments (SPEC 16): checked from their bytes, cleaned,
attached to the post that uses them, and served with exactly that post's visibility."""

import io
import re
import struct
import zlib

import pytest
from PIL import Image
from sqlalchemy import func, select

from portal.extensions import db
from portal.files import service as files
from portal.files.content import clean_name
from portal.files.models import FileBlob, StoredFile
from portal.ideas import discussion
from portal.ideas.models import Comment, Idea
from portal.markdown import render
from portal.moderation import service as moderation
from portal.timeutil import utcnow

API = "/api/v1"


# -- what gets uploaded -----------------------------------------------------------------------


def png(width=40, height=30, color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def gif_animation() -> bytes:
    frames = [Image.new("P", (20, 20), i) for i in (1, 2, 3)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


def photo_with_gps(width=3000, height=2000) -> bytes:
    """A camera's JPEG: maker, orientation "turn 90° clockwise" and a GPS position."""
    exif = Image.Exif()
    exif[0x010F] = "ACME Camera Works"  # Make
    exif[0x0112] = 6  # Orientation: the picture is shown turned 90° clockwise
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (48.0, 51.0, 30.0)
    gps[3], gps[4] = "E", (2.0, 17.0, 40.0)
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(out, "JPEG", exif=exif, quality=70)
    return out.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims `width` × `height` pixels in a few bytes (a decompression bomb's
    header: whoever decodes it allocates the whole)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + chunk(b"IEND", b""))  # fmt: skip


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'


def upload(client, data: bytes, name: str, path="/files", headers=None):
    return client.post(path, data={"file": (io.BytesIO(data), name)}, headers=headers or {},
                       content_type="multipart/form-data")  # fmt: skip


def stored(file_id) -> StoredFile:
    db.session.expire_all()
    return db.session.get(StoredFile, file_id)


@pytest.fixture
def people(make):
    class People:
        category = make.category("public", slug="open")
        suppliers = make.category("suppliers", slug="supply")
        author = make.user("customer", name="Ann Author")
        other = make.user("customer", name="Otto Other")
        moderator = make.user("customer", role="moderator", name="Mo Derator")
        staff = make.user("staff", name="Stef Staff")
        org_a = make.org("Acme")
        supplier_a = make.user("supplier", org=org_a, name="Sue Acme")
        supplier_a2 = make.user("supplier", org=org_a, name="Sam Acme")
        supplier_b = make.user("supplier", name="Bob Borealis")

    return People


def as_user(app, user):
    """A test client signed in as `user` (None: anonymous)."""
    client = app.test_client()
    if user is not None:
        response = client.post("/login", data={"email": user.email,
                                               "password": "correct-horse-battery"})  # fmt: skip
        assert response.status_code == 302
    return client


def post_idea(client, category, body, title="A picture says it", **extra):
    return client.post(
        "/ideas/new",
        data={"title": title, "body": body, "category": category.slug, "kind": "idea", **extra},
        content_type="multipart/form-data",
    )


# -- upload and attach --------------------------------------------------------------------------


def test_an_upload_is_the_uploaders_alone_until_a_post_of_theirs_uses_it(app, people):
    author = as_user(app, people.author)
    response = upload(author, png(), "kitchen plan.png")
    assert response.status_code == 201, response.get_data(as_text=True)
    answer = response.get_json()
    assert set(answer) == {"id", "url", "name", "content_type", "size", "markdown"}
    assert answer["name"] == "kitchen-plan.png" and answer["content_type"] == "image/png"
    assert answer["url"] == f"/files/{answer['id']}/kitchen-plan.png"
    assert answer["markdown"] == f"![kitchen-plan.png]({answer['url']})"
    url = answer["url"]
    assert author.get(url).status_code == 200
    for viewer in (None, people.other, people.moderator, people.staff):
        assert as_user(app, viewer).get(url).status_code == 404, viewer
    # Someone else naming it in their post does not take it.
    other = as_user(app, people.other)
    assert post_idea(other, people.category, f"Look: {answer['markdown']}").status_code == 302
    assert not stored(answer["id"]).attached
    assert other.get(url).status_code == 404

    response = post_idea(author, people.category, f"Our plan:\n\n{answer['markdown']}")
    assert response.status_code == 302
    idea_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert stored(answer["id"]).idea_id == idea_id
    page = author.get(f"/ideas/{idea_id}").get_data(as_text=True)
    assert f'<img src="{url}" alt="kitchen-plan.png" loading="lazy">' in page
    for viewer in (None, people.other, people.staff):
        assert as_user(app, viewer).get(url).status_code == 200
    # Its uploader's later comment naming it does not move it: one holder.
    idea = db.session.get(Idea, idea_id)
    comment = discussion.add_comment(people.author, idea, f"Again {answer['markdown']}")
    db.session.commit()
    assert stored(answer["id"]).idea_id == idea_id and stored(answer["id"]).comment_id is None
    assert comment.id


def test_without_javascript_the_forms_send_the_files_and_get_their_markdown(app, people):
    author = as_user(app, people.author)
    response = post_idea(
        author, people.category, "Here is the sketch and the spec.",
        files=[(io.BytesIO(png()), "sketch.png"), (io.BytesIO(PDF), "spec.pdf")],
    )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    idea_id = int(response.headers["Location"].rsplit("/", 1)[1])
    rows = db.session.scalars(select(StoredFile).order_by(StoredFile.id)).all()
    assert [(f.name, f.content_type, f.idea_id) for f in rows] == [
        ("sketch.png", "image/png", idea_id), ("spec.pdf", "application/pdf", idea_id)]  # fmt: skip
    page = author.get(f"/ideas/{idea_id}").get_data(as_text=True)
    assert f'<img src="/files/{rows[0].id}/sketch.png"' in page
    assert f'<a href="/files/{rows[1].id}/spec.pdf"' in page

    # A comment that is only a picture.
    only_a_picture = {"body": "", "files": [(io.BytesIO(png(8, 8)), "x.png")]}
    response = author.post(f"/ideas/{idea_id}/comments", content_type="multipart/form-data",
                           data=only_a_picture)  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    held = db.session.scalar(select(StoredFile).where(StoredFile.comment_id.is_not(None)))
    assert held is not None and held.name == "x.png"


def test_a_reply_form_sends_its_files_without_javascript_too(app, people, make):
    """Each reply form under a comment has its own file input (its own id) and sends the
    files with the reply; a page answering another form's post shows them empty."""
    idea = make.idea(author=people.other, category=people.category)
    top = discussion.add_comment(people.other, idea, "What does it look like?")
    db.session.commit()
    author = as_user(app, people.author)
    page = author.get(f"/ideas/{idea.id}").get_data(as_text=True)
    reply_form = page[page.index(f'name="parent_id" value="{top.id}"') - 700 :]
    assert 'enctype="multipart/form-data"' in reply_form[:700]
    assert f'<input type="file" id="reply-files-{top.id}" name="files" multiple' in reply_form
    reply = {"body": "Like this.", "parent_id": str(top.id),
             "files": [(io.BytesIO(png(9, 9)), "look.png")]}  # fmt: skip
    response = author.post(f"/ideas/{idea.id}/comments", content_type="multipart/form-data",
                           data=reply)  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    held = db.session.scalar(select(StoredFile).where(StoredFile.name == "look.png"))
    answer = db.session.get(Comment, held.comment_id)
    assert answer.parent_id == top.id and f"/files/{held.id}/look.png" in answer.body


def test_a_refused_post_keeps_none_of_its_files_and_says_so(app, people):
    author = as_user(app, people.author)
    response = post_idea(author, people.category, "Too short a title", title="Hm",
                         files=[(io.BytesIO(png()), "sketch.png")])  # fmt: skip
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(StoredFile.id))) == 0
    response = post_idea(author, people.category, "A fine body with a bad file",
                         files=[(io.BytesIO(HTML), "page.png")])  # fmt: skip
    assert response.status_code == 422
    assert "page.png: HTML, SVG and XML files are not accepted" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(StoredFile.id))) == 0


# -- checks -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "says"),
    [
        (HTML, "photo.png", "HTML, SVG and XML files are not accepted"),
        (SVG, "logo.svg", "HTML, SVG and XML files are not accepted"),
        (b"  <?xml version='1.0'?><svg/>", "drawing.txt", "HTML, SVG and XML"),
        (PDF, "photo.png", "named as PNG, but its contents are PDF"),
        (png(), "page.html", "named as text/html, but its contents are PNG"),
        (b"#!/bin/sh\nrm -rf ~\n", "holiday.jpg", "named as JPEG, but its contents are plain text"),
        (b"alert(document.cookie)", "script.js", "but its contents are plain text"),
        (b"PK\x03\x04" + b"\x00" * 60, "archive.png", "A application/zip file is not accepted"),
        (b"\x00\x01\x02binary", "blob.bin", "This kind of file is not accepted"),
        (b"", "empty.txt", "The file is empty."),
    ],
)
def test_what_the_bytes_are_decides_and_a_lying_name_is_refused(app, people, data, name, says):
    response = upload(as_user(app, people.author), data, name)
    assert response.status_code == 422, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == "validation" and says in error["message"], error
    assert db.session.scalar(select(func.count(StoredFile.id))) == 0


def test_text_and_unnamed_uploads_are_named_for_what_they_are(app, people):
    client = as_user(app, people.author)
    assert upload(client, b"Line one\nLine two\n", "notes.csv").get_json()["name"] == "notes.csv"
    assert upload(client, png(), "no extension").get_json()["name"] == "no-extension.png"
    assert upload(client, b"plain words", "../../etc/passwd").get_json()["name"] == "passwd.txt"


def test_an_oversized_file_and_an_oversized_request_are_refused(app, people, token_for):
    app.config["FILES_MAX_BYTES"] = 2000
    client = as_user(app, people.author)
    response = upload(client, b"x" * 2001, "big.txt")
    assert response.status_code == 422
    assert "larger than 0.002 MB" in response.get_json()["error"]["message"]
    headers = token_for(people.author)
    too_much = b"y" * (app.config["MAX_CONTENT_LENGTH"] + 11 * 2000)
    response = upload(client, too_much, "huge.txt", path=f"{API}/files", headers=headers)
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "too_large"
    assert db.session.scalar(select(func.count(StoredFile.id))) == 0


def test_a_photo_loses_its_gps_and_every_metadata_is_turned_upright_and_bounded(app, people):
    original = photo_with_gps()
    before = Image.open(io.BytesIO(original)).getexif()
    assert before.get_ifd(0x8825) and before[0x010F] == "ACME Camera Works"  # the test's own
    client = as_user(app, people.author)
    answer = upload(client, original, "holiday.jpg").get_json()
    data = client.get(answer["url"]).data
    assert b"ACME" not in data and b"Exif" not in data
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG" and "exif" not in image.info and not image.getexif()
    assert "icc_profile" not in image.info
    # 3000 × 2000 turned upright is 2000 × 3000; the longest side bounded to 2560.
    assert image.size == (1707, 2560)
    row = stored(answer["id"])
    assert (row.width, row.height, row.size) == (1707, 2560, len(data))


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_metadata_goes_from_png_and_webp_too(app, people, fmt):
    exif = Image.Exif()
    exif[0x010F] = "ACME Camera Works"
    out = io.BytesIO()
    options = {"exif": exif}
    if fmt == "PNG":
        from PIL import PngImagePlugin

        info = PngImagePlugin.PngInfo()
        info.add_text("Author", "Ann Author at 48.85N 2.29E")
        options["pnginfo"] = info
    Image.new("RGBA", (30, 20), (1, 2, 3, 128)).save(out, fmt, **options)
    client = as_user(app, people.author)
    answer = upload(client, out.getvalue(), f"pic.{fmt.lower()}").get_json()
    data = client.get(answer["url"]).data
    assert b"ACME" not in data and b"Ann Author" not in data
    image = Image.open(io.BytesIO(data))
    assert image.format == fmt and not image.getexif() and image.mode == "RGBA"


def test_an_animated_gif_keeps_its_first_frame(app, people):
    client = as_user(app, people.author)
    answer = upload(client, gif_animation(), "blink.gif").get_json()
    image = Image.open(io.BytesIO(client.get(answer["url"]).data))
    assert image.format == "GIF" and getattr(image, "n_frames", 1) == 1


def test_decompression_bombs_are_refused_before_they_are_decoded(app, people):
    client = as_user(app, people.author)
    for width, height in ((100_000, 100_000), (9_000, 9_000)):
        response = upload(client, png_header(width, height), "bomb.png")
        assert response.status_code == 422, (width, response.get_data(as_text=True))
        assert "pixels" in response.get_json()["error"]["message"]
    response = upload(client, png(50, 50)[:60], "cut.png")
    assert response.status_code == 422
    assert "not a valid PNG" in response.get_json()["error"]["message"]
    app.config["FILES_MAX_IMAGE_PIXELS"] = 1000
    response = upload(client, png(40, 30), "small.png")
    assert response.status_code == 422
    assert "40 × 30 pixels; at most 1,000" in response.get_json()["error"]["message"]
    assert upload(client, png(10, 10), "tiny.png").status_code == 201


def test_names_are_made_safe():
    assert clean_name("C:\\Users\\ann\\My Photo (1).JPG") == "My-Photo-1.JPG"
    assert clean_name("..\u202egnp.exe") == "gnp.exe"
    assert clean_name("a\x00b\nc.png") == "abc.png"
    assert clean_name("") == "file" and clean_name(None) == "file"
    assert clean_name(".htaccess") == "htaccess"
    long = clean_name("x" * 500 + ".jpeg")
    assert long.endswith(".jpeg") and len(long) <= 100
    assert clean_name("Überblick Käse.png") == "Überblick-Käse.png"


# -- visibility -------------------------------------------------------------------------------


def same_but_numbers(one: str, other: str) -> bool:
    def blank(text):
        # The live cursor is the newest change anywhere, whatever the page.
        text = re.sub(r'data-live-cursor="\d+"', 'data-live-cursor="N"', text)
        return re.sub(r"files(/|%2F)\d+", "files/N", text)

    return blank(one) == blank(other)


def _confidential_idea_with_image(app, people):
    client = as_user(app, people.supplier_a)
    answer = upload(client, png(), "tooling.png").get_json()
    response = post_idea(client, people.suppliers, f"Our tooling {answer['markdown']}",
                         title="Confidential tooling change", confidential="y")  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    return answer


def test_a_confidential_ideas_picture_is_404_for_everyone_else(app, people, token_for):
    answer = _confidential_idea_with_image(app, people)
    url = answer["url"]
    for viewer in (people.supplier_a, people.supplier_a2, people.staff):
        assert as_user(app, viewer).get(url).status_code == 200, viewer.display_name
    for viewer in (None, people.author, people.supplier_b, people.moderator):
        client = as_user(app, viewer)
        client.get("/")  # shows (and so drops) the welcome message of the sign-in
        response = client.get(url)
        assert response.status_code == 404, viewer
        # Exactly as a file that does not exist.
        missing = client.get(f"/files/{answer['id'] + 1000}/tooling.png")
        assert response.status_code == missing.status_code
        # (The sign-in link names the page's own address, number and all.)
        assert same_but_numbers(response.get_data(as_text=True), missing.get_data(as_text=True))
        assert b"Confidential tooling" not in response.get_data()


def test_a_hidden_comments_file_is_read_as_the_comment_is(app, people, make):
    idea = make.idea(author=people.other, category=people.category)
    client = as_user(app, people.author)
    answer = upload(client, PDF, "quote.pdf").get_json()
    response = client.post(f"/ideas/{idea.id}/comments", data={"body": answer["markdown"]})
    assert response.status_code == 302
    comment_id = stored(answer["id"]).comment_id
    assert comment_id
    moderation.act(people.moderator, "hide", "comment", comment_id, "Off topic")
    db.session.commit()
    url = answer["url"]
    for viewer in (None, people.other, people.staff, people.supplier_b):
        assert as_user(app, viewer).get(url).status_code == 404, viewer
    for viewer in (people.author, people.moderator):
        assert as_user(app, viewer).get(url).status_code == 200, viewer.display_name


def test_a_deleted_or_removed_posts_files_are_gone(app, people, make):
    idea = make.idea(author=people.other, category=people.category)
    client = as_user(app, people.author)
    answer = upload(client, png(), "a.png").get_json()
    client.post(f"/ideas/{idea.id}/comments", data={"body": answer["markdown"]})
    comment_id = stored(answer["id"]).comment_id
    response = client.post(f"/ideas/{idea.id}/comments/{comment_id}/delete")
    assert response.status_code == 302
    assert client.get(answer["url"]).status_code == 404
    assert stored(answer["id"]) is None
    assert db.session.scalar(select(func.count()).select_from(FileBlob)) == 0

    # A moderator's removal of an idea takes its files along.
    other = as_user(app, people.other)
    picture = upload(other, png(), "b.png").get_json()
    response = post_idea(other, people.category, picture["markdown"])
    idea_id = int(response.headers["Location"].rsplit("/", 1)[1])
    moderation.act(people.moderator, "delete", "idea", idea_id, "Spam")
    db.session.commit()
    for viewer in (people.other, people.moderator, people.staff):
        assert as_user(app, viewer).get(picture["url"]).status_code == 404
    assert stored(picture["id"]) is None


def test_editing_a_file_out_keeps_it_attached_and_editing_one_in_attaches_it(app, people):
    client = as_user(app, people.author)
    first = upload(client, png(), "first.png").get_json()
    response = post_idea(client, people.category, first["markdown"])
    idea_id = int(response.headers["Location"].rsplit("/", 1)[1])
    second = upload(client, png(5, 5), "second.png").get_json()
    edited = {"title": "A picture says it", "body": second["markdown"]}
    response = client.post(f"/ideas/{idea_id}/edit", data=edited,
                           content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 302
    assert stored(first["id"]).idea_id == idea_id and stored(second["id"]).idea_id == idea_id
    assert as_user(app, None).get(first["url"]).status_code == 200


def test_a_moderators_edit_takes_the_files_it_drops_along(app, people, make):
    """A moderator edits a picture out (a face, an address) and it stops being served; what
    the edit keeps stays, and the author's own edits keep everything (tested above)."""
    client = as_user(app, people.author)
    face = upload(client, png(), "face.png").get_json()
    kept = upload(client, png(5, 5), "kept.png").get_json()
    response = post_idea(client, people.category, f"{face['markdown']}\n\n{kept['markdown']}")
    idea_id = int(response.headers["Location"].rsplit("/", 1)[1])
    moderation.act(people.moderator, "edit", "idea", idea_id, "A stranger's face",
                   body=f"Picture removed.\n\n{kept['markdown']}")  # fmt: skip
    db.session.commit()
    for viewer in (None, people.author, people.moderator, people.staff):
        assert as_user(app, viewer).get(face["url"]).status_code == 404
    assert stored(face["id"]) is None and stored(kept["id"]).idea_id == idea_id
    assert as_user(app, None).get(kept["url"]).status_code == 200

    # The same for a comment, edited down to words only.
    comment_file = upload(client, png(7, 7), "address.png").get_json()
    client.post(f"/ideas/{idea_id}/comments", data={"body": comment_file["markdown"]})
    comment_id = stored(comment_file["id"]).comment_id
    moderation.act(people.moderator, "edit", "comment", comment_id, "Someone's address",
                   body="[picture removed by a moderator]")  # fmt: skip
    db.session.commit()
    assert as_user(app, people.other).get(comment_file["url"]).status_code == 404
    assert stored(comment_file["id"]) is None


# -- serving ----------------------------------------------------------------------------------


def test_files_are_served_so_that_nothing_runs_in_the_portals_origin(app, people):
    client = as_user(app, people.author)
    picture = upload(client, png(), "plan.png").get_json()
    document = upload(client, PDF, "Angebot März.pdf").get_json()
    text = upload(client, "Grüße\n".encode(), "note.txt").get_json()
    post_idea(client, people.category,
              f"{picture['markdown']} {document['markdown']} {text['markdown']}")  # fmt: skip
    anonymous = as_user(app, None)
    response = anonymous.get(picture["url"])
    headers = response.headers
    assert headers["Content-Type"] == "image/png"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Disposition"].startswith("inline; ")
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert "sandbox" in headers["Content-Security-Policy"]
    assert headers["Cache-Control"].startswith("private")
    assert headers["ETag"] == f'"{stored(picture["id"]).sha256}"'
    again = anonymous.get(picture["url"], headers={"If-None-Match": headers["ETag"]})
    assert again.status_code == 304 and not again.data

    response = anonymous.get(document["url"])
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"Angebot-M_rz.pdf\"; filename*=UTF-8''Angebot-M%C3%A4rz.pdf"
    )
    assert response.data == PDF
    response = anonymous.get(text["url"])
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment; ")
    # Another name under the same number is no address of it.
    assert anonymous.get(f"/files/{picture['id']}/other.png").status_code == 404


def test_the_renderer_shows_only_the_portals_own_pictures():
    html = render("![a](/files/3/a.png) ![b](https://tracker.example/b.png) ![c](//x.example/c.png)"
                  " ![d](/files/3/../../admin) ![e](/static/x.png)")  # fmt: skip
    assert '<img src="/files/3/a.png" alt="a" loading="lazy">' in html
    assert html.count("src=") == 1 and "tracker" not in html and "x.example" not in html


# -- the API, pruning, erasure ----------------------------------------------------------------


def test_the_api_uploads_and_a_post_made_through_it_holds_the_file(app, people, token_for):
    headers = token_for(people.author)
    client = app.test_client()
    assert upload(client, png(), "a.png", path=f"{API}/files").status_code == 401
    response = client.post(f"{API}/files", headers=headers, data={"nothing": "here"},
                           content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 422 and response.get_json()["error"]["fields"]["file"]
    response = upload(client, png(), "api shot.png", path=f"{API}/files", headers=headers)
    assert response.status_code == 201
    answer = response.get_json()
    assert answer["markdown"] == f"![api-shot.png](/files/{answer['id']}/api-shot.png)"
    idea = client.post(f"{API}/ideas", headers=headers, json={
        "title": "Through the API", "body": answer["markdown"], "category": people.category.slug,
    }).get_json()  # fmt: skip
    assert stored(answer["id"]).idea_id == idea["id"]
    assert '<img src="/files/' in idea["body_html"]


def test_uploads_nobody_used_are_pruned_after_a_day(app, people):
    client = as_user(app, people.author)
    old = upload(client, png(), "old.png").get_json()
    row = stored(old["id"])
    row.created_at = utcnow().replace(year=utcnow().year - 1)
    db.session.commit()
    assert upload(client, png(), "new.png").status_code == 201
    assert stored(old["id"]) is None
    assert db.session.scalar(select(func.count(StoredFile.id))) == 1


def test_erasure_deletes_unused_uploads_and_keeps_the_files_of_kept_posts(app, people):
    from portal.privacy import erasure

    client = as_user(app, people.author)
    kept = upload(client, png(), "kept.png").get_json()
    post_idea(client, people.category, kept["markdown"])
    loose = upload(client, png(), "loose.png").get_json()
    erasure.erase(None, people.author)
    db.session.commit()
    assert stored(loose["id"]) is None
    assert as_user(app, None).get(kept["url"]).status_code == 200


def test_the_services_refuse_a_suspended_uploader(app, people):
    from datetime import timedelta

    people.author.suspended_until = utcnow() + timedelta(days=1)
    db.session.commit()
    with pytest.raises(Exception) as raised:
        files.upload(people.author, "a.png", png())
    assert "suspended" in str(raised.value)
    response = upload(as_user(app, people.author), png(), "a.png")
    assert response.status_code == 403


class MemoryStorage:
    """A store of a deployment's own (FILES_STORAGE=tests.test_files:MemoryStorage)."""

    def __init__(self, app):
        self.blobs: dict[int, bytes] = {}

    def put(self, file_id, data):
        self.blobs[file_id] = data

    def get(self, file_id):
        return self.blobs.get(file_id)

    def delete(self, file_id):
        self.blobs.pop(file_id, None)


def test_another_store_plugs_in_and_bad_settings_refuse_to_start(database_url, make, app):
    from tests.conftest import make_test_app

    other = make_test_app(database_url, FILES_STORAGE="tests.test_files:MemoryStorage")
    store = other.extensions["file_storage"]
    assert isinstance(store, MemoryStorage)
    user = make.user("customer")
    with other.app_context():
        client = other.test_client()
        client.post("/login", data={"email": user.email, "password": "correct-horse-battery"})
        answer = upload(client, b"kept elsewhere", "elsewhere.txt").get_json()
        assert store.blobs[answer["id"]] == b"kept elsewhere"
        assert db.session.scalar(select(func.count()).select_from(FileBlob)) == 0
        assert client.get(answer["url"]).data == b"kept elsewhere"
        db.session.remove()
    with pytest.raises(RuntimeError, match="FILES_ALLOWED_TYPES names image/svg"):
        make_test_app(database_url, FILES_ALLOWED_TYPES=("image/png", "image/svg+xml"))
    with pytest.raises(RuntimeError, match="FILES_STORAGE='nowhere:Store'"):
        make_test_app(database_url, FILES_STORAGE="nowhere:Store")
