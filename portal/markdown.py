"""The one sanitising Markdown renderer: Markdown becomes HTML only through `render`."""

import re
from html import unescape

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "a",
    "table", "thead", "tbody", "tr", "th", "td", "img",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
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


# An @mention, as the discussion recognises it (portal.ideas.discussion.MENTION).
MENTION = re.compile(r"(?<![\w@/])@([a-z0-9][a-z0-9_-]{1,39})", re.IGNORECASE)


def _link_mentions(tokens, handles: dict[str, str]) -> None:
    """Turn `@handle` in plain text (not in code or an existing link) into a link to the
    person's page, for the handles given (those actually mentioned, who may see it)."""
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        children, in_link = [], 0
        for token in block.children:
            in_link += token.type == "link_open"
            in_link -= token.type == "link_close"
            if token.type != "text" or in_link or "@" not in token.content:
                children.append(token)
                continue
            position = 0
            for match in MENTION.finditer(token.content):
                href = handles.get(match.group(1).lower())
                if href is None:
                    continue
                if match.start() > position:
                    children.append(_text(token, token.content[position : match.start()]))
                opening = Token("link_open", "a", 1)
                opening.attrs = {"href": href, "class": "mention"}
                children += [opening, _text(token, match.group(0)), Token("link_close", "a", -1)]
                position = match.end()
            if position < len(token.content):
                children.append(_text(token, token.content[position:]))
        block.children = children


def _text(like, content: str):
    token = Token("text", "", 0)
    token.content = content
    token.level = like.level
    return token


def render(text: str, mentions: dict[str, str] | None = None) -> str:
    """Markdown to sanitised HTML, safe to mark as safe in templates. `mentions`: handle ->
    the address of that person's page, for the @mentions to show as links."""
    source = _SURROGATE.sub("\ufffd", text or "")
    if mentions:
        tokens = _md.parse(source)
        _link_mentions(tokens, {handle.lower(): href for handle, href in mentions.items()})
        html = _md.renderer.render(tokens, _md.options, {})
    else:
        html = _md.render(source)
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
