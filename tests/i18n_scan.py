"""Finds words in templates that a German reader would meet in English.

`_()`/`{% trans %}` only help where someone remembered them; this looks at what is left:
literal text between tags, the attributes a person reads or hears (`title`, `placeholder`,
`alt`, `aria-label`, a button's `value`) and sentence-like string constants handed to macros.
Used by tests/test_i18n.py; `python -m tests.i18n_scan [template ...]` lists what it finds.
"""

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

from jinja2 import Environment, nodes

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"

# Attributes people read (or hear from a screen reader).
READ_ATTRIBUTES = {"title", "placeholder", "alt", "aria-label", "aria-description", "label"}
# A word: two letters or more. Names that are the same in every language are allowed.
WORD = re.compile(r"[A-Za-zÄÖÜäöüß]{2,}")
SAME_IN_EVERY_LANGUAGE = {"API", "Atom", "JSON", "Markdown", "OpenID", "htmx", "OK", "UTC", "ID"}
# A constant that reads like words for people: "Save", "Post idea", "Are you sure?".
SENTENCE = re.compile(r"^[A-Z][a-z']+(?:[ -][A-Za-z'’,.?!…:()]+)*[.?!…:]?$")
TRANSLATING_CALLS = {"_", "gettext", "ngettext", "pgettext", "npgettext", "_l", "lazy_gettext"}
# Calls whose string arguments are names for machines, never shown.
MACHINE_CALLS = {"url_for", "url_with", "format_datetime", "config", "get",
                 "startswith", "endswith", "csrf_token", "asset", "static_url"}  # fmt: skip


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self._skip += 1
        values = dict(attrs)
        for name, value in attrs:
            # An <input type=submit>'s value is its caption; a <button>'s value is only sent.
            if name in READ_ATTRIBUTES or (
                name == "value"
                and tag == "input"
                and values.get("type") in {"submit", "button", "reset"}
            ):
                self._check(value or "")

    def handle_endtag(self, tag):
        if tag in {"script", "style"} and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self._check(data)

    def _check(self, text):
        for piece in text.split("\x00"):
            words = [w for w in WORD.findall(piece) if w not in SAME_IN_EVERY_LANGUAGE]
            if words:
                self.found.append(" ".join(piece.split()))


def _environment() -> Environment:
    return Environment(extensions=["jinja2.ext.i18n", "jinja2.ext.do", "jinja2.ext.loopcontrols",
                                   "portal.fragments.FragmentCache"])  # fmt: skip


def _call_name(call: nodes.Call) -> str:
    target = call.node
    if isinstance(target, nodes.Name):
        return target.name
    if isinstance(target, nodes.Getattr):
        return target.attr
    return ""


def _sentence_constants(tree: nodes.Node) -> list[str]:
    """Sentence-like strings passed to anything but a translating or machine call."""
    hidden: set[int] = set()
    for call in tree.find_all(nodes.Call):
        if _call_name(call) in TRANSLATING_CALLS | MACHINE_CALLS:
            hidden.update(id(const) for const in call.find_all(nodes.Const))
    for test in tree.find_all(nodes.Compare):  # `x == "Former member"` compares, shows nothing
        hidden.update(id(const) for const in test.find_all(nodes.Const))
    return [
        const.value
        for const in tree.find_all(nodes.Const)
        if isinstance(const.value, str)
        and id(const) not in hidden
        and SENTENCE.match(const.value)
        and WORD.search(const.value)
        and const.value not in SAME_IN_EVERY_LANGUAGE
    ]


def untranslated(template: Path) -> list[str]:
    """The English a German reader would meet in `template`, in order."""
    tree = _environment().parse(template.read_text(encoding="utf-8"))
    markup = []
    for output in tree.find_all(nodes.Output):
        for node in output.nodes:
            markup.append(node.data if isinstance(node, nodes.TemplateData) else "\x00")
    parser = _Text()
    parser.feed("".join(markup))
    parser.close()
    return parser.found + _sentence_constants(tree)


def templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def report(paths=None) -> dict[str, list[str]]:
    found = {}
    for path in paths or templates():
        words = untranslated(Path(path))
        if words:
            found[str(Path(path).resolve().relative_to(TEMPLATES))] = words
    return found


if __name__ == "__main__":
    for name, words in report([Path(arg) for arg in sys.argv[1:]] or None).items():
        print(f"{name}:")
        for text in words:
            print(f"    {text}")


def _is_text(node) -> bool:
    """A literal string (or f-string) with words in it: English nobody translated."""
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(WORD.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_is_text(part) for part in node.values)
    return False


def untranslated_python(path: Path) -> list[str]:
    """Flashes, form labels and validator messages written as plain English literals."""
    import ast

    found = []
    for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(call, ast.Call):
            continue
        name = getattr(call.func, "id", None) or getattr(call.func, "attr", "")
        if name == "progressbar":  # the command line speaks English to operators
            continue
        candidates = []
        if call.args and (name == "flash" or name.endswith("Field")):
            candidates.append(call.args[0])
        candidates += [kw.value for kw in call.keywords if kw.arg in {"label", "message",
                                                                      "description"}]  # fmt: skip
        found += [f"{path.name}:{node.lineno}: {ast.unparse(node)}" for node in candidates
                  if _is_text(node)]  # fmt: skip
    return found


def report_python() -> dict[str, list[str]]:
    found = {}
    for path in sorted((ROOT / "portal").rglob("*.py")):
        texts = untranslated_python(path)
        if texts:
            found[str(path.relative_to(ROOT))] = texts
    return found
