"""Every character the portal itself writes is one a default font draws.

Pico's font stack ends in emoji fonts that a plain Debian (where Chromium brings DejaVu and
Liberation) does not have: an emoji in a template shows as an empty box there, as the empty
review queue's "Nothing waits for review. 🎉" did. Content people type is theirs; what the
templates, labels and messages say must be drawn by DejaVu Sans.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
    *sorted((ROOT / "templates").rglob("*.html")),
    *sorted((ROOT / "portal").rglob("*.py")),
    ROOT / "static" / "css" / "portal.css",
    ROOT / "static" / "js" / "portal.js",
]


def drawn_by_dejavu(character: str) -> bool:
    found = subprocess.run(
        ["fc-list", f"DejaVu Sans:charset={ord(character):x}", "family"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return bool(found.stdout.strip())


def test_the_portals_own_text_has_no_character_the_default_fonts_cannot_draw():
    if shutil.which("fc-list") is None or not drawn_by_dejavu("a"):
        pytest.skip("needs fontconfig and DejaVu Sans (Debian's fonts-dejavu-core)")
    where: dict[str, str] = {}
    for source in SOURCES:
        for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
            for character in line:
                if ord(character) > 0x7F and character not in where:
                    where[character] = f"{source.relative_to(ROOT)}:{number}"
    missing = {c: at for c, at in where.items() if not drawn_by_dejavu(c)}
    assert not missing, "characters no default font draws (a box in Chromium on Debian): " + (
        ", ".join(f"U+{ord(c):04X} {c!r} at {at}" for c, at in missing.items())
    )
