"""What an upload is, decided from its bytes, never from its name or the client's word.

`filetype` reads the magic numbers; a file it does not know is plain text only when it is
valid UTF-8 without control characters and does not open like an HTML, SVG or XML document
(markup that a browser could run). A name whose extension says another type than the bytes
(`page.html` renamed `photo.png`) is refused as lying. Pictures are decoded and re-encoded by
Pillow from their pixels alone: EXIF (GPS), ICC, XMP and text chunks stay behind, the camera's
orientation is applied, the longest side is bounded, and a picture of more pixels than allowed
is refused before it is decoded (a decompression bomb). An animated GIF or WebP keeps its
first frame only: a still picture is what a post needs, and decoding every frame of an
uploaded animation is a cost an attacker chooses.
"""

import io
import re
import unicodedata
import warnings
from dataclasses import dataclass
from mimetypes import guess_type

import filetype
from flask_babel import format_decimal, format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from portal.errors import Invalid

# The types a deployment may allow, each with the extensions a name of that type may carry
# (the first is added to a name that has none).
EXTENSIONS = {
    "image/png": ("png",),
    "image/jpeg": ("jpg", "jpeg", "jpe", "jfif"),
    "image/gif": ("gif",),
    "image/webp": ("webp",),
    "application/pdf": ("pdf",),
    "text/plain": ("txt", "text", "log", "csv", "tsv", "md", "markdown"),
}
LABELS = {
    "image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WebP",
    "application/pdf": "PDF", "text/plain": _l("plain text"),
}  # fmt: skip
PILLOW_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF",
                  "image/webp": "WEBP"}  # fmt: skip
# Text types a plain-text file's name may claim: not those a browser would run or style.
RUNNABLE_TEXT = {"text/html", "text/xml", "text/javascript", "text/css", "text/ecmascript"}
NAME_MAX = 100
# How a document a browser would render as markup starts (after a byte order mark and spaces).
_MARKUP_START = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<(?:!doctype|html|svg|\?xml|script|head|body)",
                           re.IGNORECASE)  # fmt: skip
_TEXT_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass
class Checked:
    """An upload as it will be stored."""

    name: str
    content_type: str
    data: bytes
    width: int | None = None
    height: int | None = None


def _refuse(message: str):
    """Refuse the upload; `message` is written in the reader's language (gettext)."""
    raise Invalid(message, {"file": [message]})


def clean_name(name) -> str:
    """A file name safe to store, show and put in a path: no folders, no control or
    formatting characters, letters, digits, `.`, `-` and `_` only, bounded in length."""
    name = unicodedata.normalize("NFC", name if isinstance(name, str) else "")
    name = re.split(r"[\\/]", name)[-1]
    # Spaces of every kind become one; control and formatting characters (a right-to-left
    # override that turns "gnp.exe" into "exe.png" on screen) go.
    name = "".join(
        " " if unicodedata.category(c)[0] == "Z" else c
        for c in name
        if unicodedata.category(c)[0] != "C"
    )
    name = re.sub(r"[^\w.\-]+", "-", name)
    # A run of separators becomes one, a dot if it has one (so the extension stays).
    name = re.sub(r"[.\-_]{2,}", lambda m: "." if "." in m.group() else m.group()[0], name)
    name = name.strip(".-_")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    extension = extension[:10]
    stem = stem[: NAME_MAX - len(extension) - 1].strip(".-_") or "file"
    return f"{stem}.{extension}" if extension else stem


def _detect(data: bytes) -> str:
    kind = filetype.guess(data)
    if kind is not None:
        return kind.mime
    if _MARKUP_START.match(data[:1024]):
        _refuse(_("HTML, SVG and XML files are not accepted: a browser could run script in them."))
    if _TEXT_CONTROL.search(data):
        return "application/octet-stream"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    return "text/plain"


def _label(content_type: str) -> str:
    return str(LABELS.get(content_type, content_type))


def _named_truthfully(name: str, content_type: str) -> str:
    """The name, with the extension of the type its bytes are; refused when its extension
    claims another type (a lying extension)."""
    stem, dot, extension = name.rpartition(".")
    extension = extension.lower() if dot else ""
    if extension in EXTENSIONS[content_type]:
        return name
    claimed = next((t for t, exts in EXTENSIONS.items() if extension in exts), None)
    if claimed is None and extension:
        claimed = guess_type(f"x.{extension}", strict=False)[0]
    text_named = claimed is not None and claimed.startswith("text/")
    if content_type == "text/plain" and text_named and claimed not in RUNNABLE_TEXT:
        return name
    if claimed is not None:
        _refuse(_("“%(name)s” is named as %(claimed)s, but its contents are %(actual)s: rename it "
                  "or upload the real file.", name=name, claimed=_label(claimed),
                  actual=_label(content_type)))  # fmt: skip
    canonical = EXTENSIONS[content_type][0]
    return f"{name[: NAME_MAX - len(canonical) - 1]}.{canonical}"


def _picture(data: bytes, content_type: str, max_pixels: int, max_side: int) -> Checked:
    """Decode and re-encode from the pixels alone, oriented and bounded."""
    pillow_format = PILLOW_FORMATS[content_type]
    label = _label(content_type)
    with warnings.catch_warnings():
        # Pillow warns past its own pixel limit and raises past twice that: both refuse here.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=[pillow_format])
            width, height = image.size
            if width * height > max_pixels:
                most = _pixels(max_pixels)
                _refuse(_("This picture has %(width)s × %(height)s pixels; at most %(most)s are "
                          "accepted.", width=width, height=height, most=most))  # fmt: skip
            image.seek(0)  # the first frame only
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            _refuse(_("This picture has more pixels than the %(most)s accepted.",
                      most=_pixels(max_pixels)))  # fmt: skip
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            _refuse(_("This is not a valid %(kind)s picture (damaged or cut short).", kind=label))
    image = ImageOps.exif_transpose(image)
    transparency = image.info.get("transparency") if pillow_format in ("PNG", "GIF") else None
    if pillow_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif pillow_format == "WEBP" and image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA")
    if max(image.size) > max_side:
        if image.mode in ("P", "1"):
            image = image.convert("RGBA")
            transparency = None
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        if pillow_format == "GIF":
            image = image.convert("RGB").quantize() if image.mode != "RGBA" else image.quantize()
    # A new image from the pixels (and palette): nothing of the upload's metadata comes along.
    clean = Image.frombytes(image.mode, image.size, image.tobytes())
    if image.mode in ("P", "PA"):
        clean.putpalette(image.getpalette() or [])
    options = {"JPEG": {"quality": 85}, "WEBP": {"quality": 85}}.get(pillow_format, {})
    if transparency is not None and clean.mode in ("P", "L", "RGB"):
        options["transparency"] = transparency
    output = io.BytesIO()
    try:
        clean.save(output, format=pillow_format, **options)
    except (OSError, ValueError):
        _refuse(_("This %(kind)s picture could not be read.", kind=label))
    return Checked("", content_type, output.getvalue(), clean.width, clean.height)


def check_upload(name, data: bytes, *, allowed, max_bytes: int, max_pixels: int,
                 max_side: int) -> Checked:  # fmt: skip
    """The upload as it will be stored, or Invalid (field `file`) saying what is wrong."""
    if not data:
        _refuse(_("The file is empty."))
    if len(data) > max_bytes:
        _refuse(_("The file is larger than %(limit)s, the limit.", limit=_megabytes(max_bytes)))
    content_type = _detect(data)
    if content_type not in allowed:
        accepted = ", ".join(_label(t) for t in EXTENSIONS if t in allowed)
        if content_type == "application/octet-stream":
            _refuse(_("This kind of file is not accepted; these are: %(accepted)s.",
                      accepted=accepted))  # fmt: skip
        _refuse(_("A %(kind)s file is not accepted; these are: %(accepted)s.",
                  kind=_label(content_type), accepted=accepted))  # fmt: skip
    name = _named_truthfully(clean_name(name), content_type)
    if content_type in PILLOW_FORMATS:
        checked = _picture(data, content_type, max_pixels, max_side)
        checked.name = name
        return checked
    return Checked(name, content_type, data)


def check_settings(config) -> None:
    """FILES_ALLOWED_TYPES names only types this module knows how to check."""
    unknown = sorted(set(config["FILES_ALLOWED_TYPES"]) - set(EXTENSIONS))
    if unknown:
        raise RuntimeError(
            f"FILES_ALLOWED_TYPES names {', '.join(unknown)}; the types it may name are "
            f"{', '.join(EXTENSIONS)} (SVG and HTML never: they run script)."
        )


def _pixels(number: int) -> str:
    """`12 million`, `1,000`: written for the reader's language."""
    if number >= 1_000_000:
        return _("%(num)s million", num=format_decimal(number / 1_000_000))
    return format_number(number)


def _megabytes(number: int) -> str:
    return _("%(num)s MB", num=format_decimal(number / 1_000_000))
