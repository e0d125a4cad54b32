"""The one sanitising Markdown renderer: Markdown becomes HTML only through `render`."""

import re
from html import unescape

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "a",
    "table", "thead", "tbody", "tr", "th", "td", "img",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    # Pictures only from the portal's own /files/ (a remote one would tell its owner who reads
    # the page, and when); `loading` is set here, never taken from the text.
    "img": {"src", "alt", "title", "loading"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Lone UTF-16 surrogates cannot be encoded for the sanitiser (input validation refuses them;
# rendering must not fail on them either).
_SURROGATE = re.compile(r"[\ud800-\udfff]")


# A stored file's path: /files/<id>/<name>, nothing that could lead elsewhere.
_OWN_FILE = re.compile(r"^/files/[1-9][0-9]{0,9}/[^/?#\\:]+$")


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img":
        if attribute == "src":
            return value if _OWN_FILE.match(value) else None
        if attribute == "loading":
            return "lazy"
    return value


def render(text: str) -> str:
    """Markdown to sanitised HTML, safe to mark as safe in templates."""
    html = _md.render(_SURROGATE.sub("\ufffd", text or ""))
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        set_tag_attribute_values={"img": {"loading": "lazy"}},
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener ugc",
    )


_BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|blockquote|pre|tr)>|<br\s*/?>|<hr\s*/?>")


def plain_text(text: str) -> str:
    """Markdown as the words a reader sees, without its markup (`**`, `[](…)`, `#`): for
    notifications and e-mails, which show text, not HTML. One line per block."""
    words = unescape(nh3.clean(_BLOCK_END.sub("\n", render(text)), tags=set()))
    lines = [line.strip() for line in words.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
