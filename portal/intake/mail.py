"""One RFC 5322 message as the intake needs it: sender, recipients, the new text, file names.

Parsed with the standard library's `email` package (`policy.default`). What the e-mail channel
of SPEC 12 asks beyond that comes from two maintained libraries:

- Quoted replies and signatures are cut by mail-parser-reply (MIT, pure Python, no
  dependencies; releases through 2025, 1.36 in December). It knows the reply headers of Gmail,
  Apple Mail and Outlook ("On … wrote:", "-----Original Message-----", "From:/Sent:" blocks),
  "-- " signatures, "Sent from my iPhone" and sign-offs, in English and in German (the
  portal's two languages) among others. Passed over: talon (last release 2017, pulls in
  scikit-learn for a pickled classifier), email-reply-parser (last release 2020, English
  only), quotequail (maintained, but it finds quotes only, not signatures), and
  email-reply-extractor and email-extract (one author each, first released in autumn 2026).
- HTML-only mail becomes text with inscriptis (Apache-2.0). It parses with lxml, which reads
  no DTD and opens no network connection; inscriptis renders text only: scripts and styles are
  not shown, nothing is run, no image, link or style sheet is fetched.

Around the cutter: its regular expressions slow down badly on very long lines (a 5,000
character line took a minute), so lines longer than `CUT_LINE_LIMIT` are replaced by
placeholders while it works (no reply header or sign-off is that long) and put back after; and
a "signature" whose first line reads like a sentence ("Thanks, the export is great but …") is
kept, since losing what a customer wrote is worse than keeping a greeting. A forwarded
message (subject "Fwd:", "FW:", "WG:") is not cut at all: what was forwarded is the point.

Bounds: the body is cut to `MAX_TEXT` characters (`MAX_HTML` of HTML) before any of this, a
message is parsed up to its `MAX_PARTS`-th MIME boundary, and attachments are listed by name
and never decoded.
"""

import codecs
import email
import email.header
import email.policy
import email.utils
import logging
import mimetypes
import re
from dataclasses import dataclass
from email.message import EmailMessage

from inscriptis import get_text
from inscriptis.css_profiles import CSS_PROFILES
from inscriptis.model.config import ParserConfig
from mailparser_reply.parser import EmailMessage as ReplyParser

log = logging.getLogger(__name__)

MAX_TEXT = 50_000  # characters of body text kept (and cut): the new text comes first
MAX_HTML = 500_000  # characters of an HTML-only body converted to text
CUT_LINE_LIMIT = 200  # longer lines are hidden from the reply cutter (see the docstring)
MAX_HEADER = 998  # RFC 5322's line length: subjects, names and ids are cut there
MAX_PARTS = 1_000  # MIME parts looked at for attachment names
MAX_ATTACHMENTS = 100
LANGUAGES = ["en", "de"]

RECIPIENT_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To")
AUTO_HEADERS = ("X-Autoreply", "X-Autorespond", "List-Id")
HTML_CONFIG = ParserConfig(
    css=CSS_PROFILES["relaxed"], display_images=False, display_links=False, display_anchors=False
)
_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
_FORWARDED = re.compile(r"\s*(fwd?|wg)\s*:", re.IGNORECASE)  # Fwd:, FW:, and Outlook's German WG:
_PLACEHOLDER = re.compile("\ue000([0-9]+)\ue001")
# C0 controls but tab and newline, DEL, and the placeholder marks: none belongs in a body.
_UNWANTED = dict.fromkeys([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0xE000, 0xE001])


class MailError(ValueError):
    """The bytes are not a message the intake can take: unparseable, or no sender address."""


@dataclass(frozen=True)
class ParsedMail:
    """What the intake takes from one message."""

    message_id: str | None  # without <>; None when absent
    sender_email: str  # the From address, its domain lower-cased (never empty: else MailError)
    sender_name: str  # the From display name, or ""
    recipients: tuple[str, ...]  # To, Cc, Delivered-To, X-Original-To; domains lower-cased
    subject: str
    text: str  # the new text only: quoted replies and signatures cut, HTML turned into text
    attachments: tuple[str, ...]  # file names only
    in_reply_to: str | None  # In-Reply-To, else the last of References; without <>
    automatic: bool  # an auto-reply, bounce, receipt or list mail: never answer it (mail loops)


def parse_message(raw: bytes) -> ParsedMail:
    """Parse a raw message (what an MTA pipes in, or IMAP's BODY[]) into a ParsedMail."""
    if not isinstance(raw, bytes | bytearray):
        raise MailError("a message is bytes")
    try:
        message = email.message_from_bytes(_bounded(bytes(raw)), policy=email.policy.default)
    except RecursionError:
        raise MailError("the message is nested too deeply to parse") from None
    senders = _addresses(message, "From")
    if not senders:
        raise MailError("the message has no sender address (From)")
    sender_name, sender_email = senders[0]
    recipients = []
    for name in RECIPIENT_HEADERS:
        for _, address in _addresses(message, name):
            if address not in recipients:
                recipients.append(address)
    body = _body_part(message)
    subject = _one_line(_header(message, "Subject"))
    references = _MESSAGE_ID.findall(_header(message, "References"))
    return ParsedMail(
        message_id=_message_id(_header(message, "Message-ID")),
        sender_email=sender_email,
        sender_name=sender_name,
        recipients=tuple(recipients),
        subject=subject,
        text=_body_text(body, cut=not _FORWARDED.match(subject)) if body is not None else "",
        attachments=_attachment_names(message, body),
        in_reply_to=_message_id(_header(message, "In-Reply-To"))
        or (references[-1][:MAX_HEADER] if references else None),
        automatic=_automatic(message, sender_email),
    )


def plus_tag(address: str, local: str) -> str | None:
    """The tag of a plus address: "feedback+billing@x", local "feedback" -> "billing".

    The local part is compared without regard to case; the tag keeps its case. None when the
    address is not `local+<tag>@…` (the domain is the caller's to check).
    """
    address = address.strip().removeprefix("<").removesuffix(">")
    local_part, at, _ = address.rpartition("@")
    prefix = local.strip() + "+"
    if not at or prefix == "+" or local_part[: len(prefix)].casefold() != prefix.casefold():
        return None
    return local_part[len(prefix) :] or None


def _bounded(raw: bytes) -> bytes:
    """The message up to its MAX_PARTS-th line starting with "--" (a MIME boundary, usually).

    `policy.default` takes about half a millisecond per MIME part, so a few megabytes of tiny
    parts would keep a worker busy for minutes; what is cut off lies past the text and past
    the first hundred attachments anyway.
    """
    position = 0
    for _ in range(MAX_PARTS):
        position = raw.find(b"\n--", position + 1)
        if position < 0:
            return raw
    return raw[:position]


def _utf8(value: str) -> str:
    """Raw 8-bit header bytes (SMTPUTF8 mail, or a sender that did not encode) reach us as
    surrogate escapes: read them as the UTF-8 they nearly always are."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _header(message: EmailMessage, name: str) -> str:
    """A header's decoded text, "" when absent; a header the parser chokes on is read raw."""
    try:
        value = message.get(name)
        return "" if value is None else _utf8(str(value))
    except Exception:  # hostile headers have raised from email's parser before
        raw = next((v for k, v in message.raw_items() if k.lower() == name.lower()), "")
        try:
            return str(email.header.make_header(email.header.decode_header(raw)))
        except Exception:
            return raw


def _one_line(value: str) -> str:
    return " ".join(value.translate(_UNWANTED).split())[:MAX_HEADER]


def _message_id(value: str) -> str | None:
    found = _MESSAGE_ID.search(value)
    value = found.group(1) if found else value.strip().strip("<>")
    return value[:MAX_HEADER] if value and not any(c.isspace() for c in value) else None


def _addresses(message: EmailMessage, name: str) -> list[tuple[str, str]]:
    """(display name, address) pairs of every `name` header; unusable addresses left out."""
    pairs = []
    try:
        for header in message.get_all(name) or []:
            if hasattr(header, "addresses"):  # To, Cc, From: parsed by the policy
                pairs += [(a.display_name, a.addr_spec) for a in header.addresses]
            else:  # Delivered-To, X-Original-To are plain text headers
                pairs += email.utils.getaddresses([str(header)])
    except Exception:  # a header the parser chokes on is read raw
        raw = [v for k, v in message.raw_items() if k.lower() == name.lower()]
        pairs = email.utils.getaddresses(raw)
    found = []
    for display_name, address in pairs:
        display_name, address = _utf8(display_name or ""), _utf8(address or "")
        local_part, at, domain = address.strip().rpartition("@")
        if at and local_part and domain and len(address) <= 320:
            found.append((_one_line(display_name or ""), f"{local_part}@{domain.lower()}"))
    return found


def _automatic(message: EmailMessage, sender: str) -> bool:
    """Whether the message was sent by a machine that must not be answered (RFC 3834)."""
    auto_submitted = _header(message, "Auto-Submitted").split(";")[0].strip().lower()
    precedence = _header(message, "Precedence").strip().lower()
    return (
        auto_submitted not in ("", "no")
        or precedence in ("bulk", "junk", "list")
        or any(_header(message, name).strip().lower() not in ("", "no") for name in AUTO_HEADERS)
        or message.get_content_type() == "multipart/report"  # bounces, read receipts
        or sender.rpartition("@")[0].lower() == "mailer-daemon"
        or _header(message, "Return-Path").strip() == "<>"  # a null envelope sender: a bounce
    )


def _body_part(message: EmailMessage) -> EmailMessage | None:
    try:
        return message.get_body(preferencelist=("plain", "html"))
    except Exception:  # a malformed structure has no body to show
        return None


def _decoded(part: EmailMessage, limit: int) -> str:
    """The part's text, at most about `limit` characters; a wrong charset never raises."""
    try:
        data = part.get_payload(decode=True) or b""
    except Exception:
        return ""
    truncated = len(data) > 4 * limit
    data = data[: 4 * limit]
    for charset in (part.get_content_charset(), "utf-8"):
        if not charset:
            continue
        try:
            b"\0".decode(charset)  # LookupError first for an unknown charset, and for "zlib"
        except LookupError:  # or "rot13", which are no charsets (and must not inflate bombs)
            continue
        except ValueError:  # a charset that wants more than one byte
            pass
        try:
            if codecs.lookup(charset).name == "iso8859-1":
                charset = "cp1252"  # what mail labelled Latin-1 really is (as browsers read it)
            # An incremental decoder leaves out a character cut in half by the truncation.
            decoder = codecs.getincrementaldecoder(charset)("strict")
            text = decoder.decode(data, final=not truncated)
        except Exception:  # the bytes are not in that charset (or a codec misbehaves)
            continue
        if isinstance(text, str):
            return text[:limit]
    return data.decode("cp1252", errors="replace")[:limit]


def _body_text(part: EmailMessage, cut: bool) -> str:
    """The body as text; cut unless it is a forwarded message (what was forwarded is the news)."""
    if part.get_content_subtype() == "html":
        try:
            text = get_text(_decoded(part, MAX_HTML), HTML_CONFIG)
        except Exception:  # lxml and inscriptis on hostile HTML
            log.warning("an HTML body could not be turned into text", exc_info=True)
            text = ""
    else:
        text = _decoded(part, MAX_TEXT)
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_UNWANTED)[:MAX_TEXT]
    return (cut and _cut(text)) or text.strip()  # nothing but quotes or a signature: keep it


def _cut(text: str) -> str:
    """The text without quoted replies and signature, by mail-parser-reply."""
    long_lines: list[str] = []

    def hide(line: str) -> str:
        if len(line) <= CUT_LINE_LIMIT:
            return line
        long_lines.append(line.strip())
        return f"\ue000{len(long_lines) - 1}\ue001"

    probe = "\n".join(hide(line) for line in text.split("\n"))
    parsed = ReplyParser(text=probe, languages=list(LANGUAGES), keep_hyphen_lists=True).read()
    reply = parsed.replies[0]  # read() always yields one: the first part with any text
    body = reply.content
    start = body.rfind(reply.signatures) if reply.signatures else -1
    if start >= 0 and _is_sign_off(reply.signatures):
        body = body[:start]
    if reply.headers:
        body = body.replace(reply.headers, "", 1)
    return _PLACEHOLDER.sub(lambda m: long_lines[int(m.group(1))], body).strip()


def _is_sign_off(signature: str) -> bool:
    """Whether a cut signature starts with a sign-off rather than a sentence of the message."""
    first = signature.split("\n", 1)[0].lstrip("> ").strip()
    return len(first.split()) <= 3 or not first.endswith((".", "!", "?"))


def _attachment_names(message: EmailMessage, body: EmailMessage | None) -> tuple[str, ...]:
    """Names of the attached files (and forwarded messages), in order; contents not decoded."""
    names: list[str] = []
    stack, seen = [message], 0
    while stack and seen < MAX_PARTS and len(names) < MAX_ATTACHMENTS:
        part = stack.pop()
        seen += 1
        if part is body:
            continue
        content_type = part.get_content_type()
        if content_type.startswith("multipart/"):
            try:
                parts = [p for p in part.iter_parts() if isinstance(p, EmailMessage)]
            except Exception:  # a multipart without its boundary
                parts = []
            stack.extend(reversed(parts))
            continue
        try:
            name = part.get_filename()
            attached = part.is_attachment()
        except Exception:  # a Content-Disposition the parser chokes on
            name, attached = None, True
        forwarded = content_type == "message/rfc822" and part is not message
        if name or forwarded or attached:
            names.append(_file_name(name, content_type))
    return tuple(names)


def _file_name(name: str | None, content_type: str) -> str:
    name = " ".join(str(name or "").translate(_UNWANTED).split())
    name = name.replace("\\", "/").rpartition("/")[2].strip()[:255]  # no client's path
    if name:
        return name
    if content_type == "message/rfc822":
        return "message.eml"
    return "attachment" + (mimetypes.guess_extension(content_type) or "")
