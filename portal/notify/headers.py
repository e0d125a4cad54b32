"""E-mail header text made from what people wrote: one line, of a sane length."""

import re

SUBJECT_CHARS = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def one_line(text: str | None, max_chars: int = SUBJECT_CHARS) -> str:
    """`text` on one line: mail libraries refuse a header with a line break in it."""
    # Control characters become spaces; str.split() then splits on every Unicode whitespace
    # (\r, \n, U+2028, U+2029, U+0085 ...), so each run of it becomes one space.
    flat = " ".join(_CONTROL.sub(" ", text or "").split())
    if len(flat) > max_chars:
        flat = flat[: max_chars - 1].rstrip() + "…"
    return flat
