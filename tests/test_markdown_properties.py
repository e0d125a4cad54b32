"""Property tests of the one Markdown renderer: whatever goes in, what comes out is inert.

Hypothesis writes the input from hostile fragments (tags, handlers, script URLs in their
encodings, Markdown link and autolink syntax, stray closing tags) mixed with arbitrary text.
`make fuzz` (PORTAL_FUZZ=long) runs many more examples.
"""

import html
import os
import re
from html.parser import HTMLParser

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from portal.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES, render

LONG = os.environ.get("PORTAL_FUZZ") == "long"
EXAMPLES = int(os.environ.get("PORTAL_FUZZ_EXAMPLES", "5000")) if LONG else 300
VOID_TAGS = {"br", "hr", "img"}
FRAGMENTS = [
    "<script>", "</script>", "<script src=//evil.example/x.js></script>", "<style>", "<svg",
    "<img src=x onerror=alert(1)>", "<a href=", "<a href='javascript:alert(1)'>", "</a>",
    "<iframe", "<div>", "</div>", "</p>", "</li></ul>", "</blockquote>", "</td></tr></table>",
    "<!--", "-->", "<![CDATA[", "]]>", "<?xml", "<!DOCTYPE html>", "<base href=//evil>",
    " onload=", " onmouseover=alert(1) ", "\" onfocus=\"alert(1)", "' autofocus onfocus='x",
    "javascript:", "JaVaScRiPt:", "java\tscript:", "java\nscript:", "&#106;avascript:",
    "&#x6A;avascript:", "javascript&colon;", "vbscript:", "data:text/html;base64,PHNjcmlwdD4=",
    "[x](", "](", ")", "[", "]", "![", "![a](/files/1/a.png)", "![t](https://tracker.example/t)",
    "![p](/files/1/../../p)", "![s](//evil.example/s.png)", "<", ">", "<javascript:alert(1)>", "<http://ok.example>",
    "[ref]: javascript:alert(1)\n", "[ref]", "[a][ref]", "(javascript:alert(1))",
    '(https://example.com "title" onclick=alert(1))', "`", "```\n", "    ", "\n", "\n\n",
    "> ", "* ", "1. ", "# ", "| a | b |\n|---|---|\n| ", "~~", "**", "_", "\\", "&", "&amp;",
    "&lt;", "&#0;", "\x00", "\u202e", "\u200d", "\u200b", "\u0301", "\ufeff", "\ud800", "\udfff",
    "x" * 300,
]  # fmt: skip
HOSTILE = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=20)), max_size=40).map(
    "".join
)
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not LONG,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


class Inspector(HTMLParser):
    """Everything that could run script or leave its container, as a list of problems."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)
        if tag not in VOID_TAGS:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)
        if tag not in VOID_TAGS:
            self.problems.append(f"self-closed <{tag}/>")

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'the container'}")
        else:
            self.stack.pop()

    def handle_comment(self, data):
        self.problems.append(f"comment <!--{data}-->")

    def handle_decl(self, decl):
        self.problems.append(f"declaration <!{decl}>")

    def handle_pi(self, data):
        self.problems.append(f"processing instruction <?{data}>")

    def unknown_decl(self, data):
        self.problems.append(f"<![{data}]>")

    def _check(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"<{tag}> is not an allowed tag")
        for name, value in attrs:
            if name not in ALLOWED_ATTRIBUTES.get(tag, set()) and (tag, name) != ("a", "rel"):
                self.problems.append(f"attribute {name}={value!r} on <{tag}>")
            if name.startswith("on"):
                self.problems.append(f"event handler {name} on <{tag}>")
            if name == "href" and value is not None:
                self._check_url(value)
            if name == "src" and not re.fullmatch(r"/files/\d+/[^/?#\\:]+", value or ""):
                self.problems.append(f"picture from elsewhere than /files/: {value!r}")

    def _check_url(self, value: str):
        # What a browser would follow: entities decoded, whitespace and controls dropped.
        squashed = re.sub(r"[\x00-\x20\x7f]+", "", html.unescape(value)).lower()
        scheme = re.match(r"^([a-z][a-z0-9+.-]*):", squashed)
        if scheme and scheme.group(1) not in URL_SCHEMES:
            self.problems.append(f"href with scheme {scheme.group(1)!r}: {value!r}")
        if scheme is None and ":" in squashed.split("/")[0].split("?")[0].split("#")[0]:
            self.problems.append(f"href that a browser may read as a scheme: {value!r}")


def inspect(markup: str) -> list[str]:
    inspector = Inspector()
    # As inside its container on the page: a closing tag with nothing open would close the
    # container, a tag left open would swallow what follows it.
    inspector.feed(markup)
    inspector.close()
    if inspector.stack:
        inspector.problems.append(f"left open: {inspector.stack}")
    return inspector.problems


def words_in(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z]{4,}", text))


@SETTINGS
@given(HOSTILE)
@example("<script>alert(1)</script>")
@example("[x](javascript:alert(1)) [y](&#106;avascript:alert(1)) <javascript:alert(1)>")
@example("</div></div><script>alert(1)</script>")
@example("\ud800 lone surrogate")
@example("a\x00b")
def test_rendered_markdown_is_always_inert_and_balanced(text):
    markup = render(text)
    assert isinstance(markup, str)
    assert inspect(markup) == []
    lowered = markup.lower()
    assert "<script" not in lowered and "<style" not in lowered
    assert "\x00" not in markup


@SETTINGS
@given(st.text(st.characters(exclude_categories=())))
def test_any_text_renders_without_raising(text):
    assert inspect(render(text)) == []


@SETTINGS
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"])))
def test_plain_words_survive_rendering(text):
    # Sanitising takes away markup, never the words people wrote.
    rendered = html.unescape(re.sub(r"<[^>]*>", "", render(text)))
    assert words_in(text) <= words_in(rendered) | words_in(html.unescape(text))


@settings(SETTINGS, max_examples=max(20, EXAMPLES // 10))
@given(st.integers(min_value=1, max_value=5000), st.sampled_from(["a", "é", "\u200d", "<", "*"]))
def test_very_long_words_and_runs_render(length, character):
    assert inspect(render(character * length)) == []
