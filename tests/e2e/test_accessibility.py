"""Accessibility: axe-core (WCAG 2.1 A and AA) over the main pages, as each kind of visitor.

axe-core comes from npm, pinned in tests/e2e/package.json and package-lock.json (`npm ci
--prefix tests/e2e`, which `make test` runs); it is injected into each page by Playwright.
Only this test's browser context bypasses the page's CSP to run it: the portal itself never
allows the script.
"""

import json
from pathlib import Path

import pytest

from portal.extensions import db
from portal.ideas import service as ideas
from portal.moderation import service as moderation
from tests.e2e.helpers import ADMIN, CUSTOMER, DESKTOP, IDEA_AUTHOR, STAFF, unique

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}
# Best-practice rules (not WCAG criteria) whose faults were met and fixed: they stay fixed.
KEPT_FIXED = {"heading-order", "landmark-unique"}
ANYONE = ["/", "/ideas", "{idea}", "/search?q=oven+timer", "/roadmap"]
PAGES = {
    "anonymous": ANYONE,
    CUSTOMER: [*ANYONE, "/account"],
    STAFF: [*ANYONE, "/staff/triage", "/account"],
    ADMIN: [*ANYONE, "/staff/triage", "/moderation", "/admin", "/account"],
}


def faults(page) -> list[str]:
    """axe-core's findings on the page that fail the check, one line per element."""
    results = page.evaluate(
        "options => axe.run(document, options)",
        {"runOnly": {"type": "tag", "values": [*WCAG_21_AA, "best-practice"]}},
    )
    found = []
    for rule in results["violations"]:
        wcag = set(rule["tags"]) & set(WCAG_21_AA)
        if not (wcag and rule["impact"] in FAILING_IMPACTS) and rule["id"] not in KEPT_FIXED:
            continue
        for node in rule["nodes"]:
            summary = " ".join((node.get("failureSummary") or "").split())
            found.append(f"{rule['id']} ({rule['impact']}): {json.dumps(node['target'])} "
                         f"{summary[:300]}")  # fmt: skip
    return found


# Every role in the light scheme; the admin, who sees the most pages, in the dark one too.
RUNS = [(who, "light") for who in PAGES] + [(ADMIN, "dark")]


@pytest.fixture(scope="module")
def troubled(live_server) -> None:
    """States the seed may not show: a hidden idea (moderators still list it) and a flagged one
    waiting in the review queue, so that the pages are checked with them whatever ran before."""
    with live_server.app.app_context():
        author, admin = live_server.user(IDEA_AUTHOR), live_server.user(ADMIN)

        def post(title):
            return ideas.post_idea(
                author, title=unique(title), body="Text.", category="feature-ideas"
            )

        hidden = post("An idea the moderators hid")
        moderation.act(admin, "hide", "idea", hidden.id, "Off topic.")
        flagged = post("An idea someone flagged")
        moderation.flag(live_server.user(CUSTOMER), "idea", flagged.id, "spam")
        db.session.commit()
        db.session.remove()


@pytest.mark.parametrize(("who", "scheme"), RUNS, ids=[f"{w}-{s}" for w, s in RUNS])
def test_main_pages_pass_axe(pages, showcase, troubled, who, scheme):
    assert AXE.exists(), f"{AXE} is missing: run `npm ci --prefix tests/e2e` (make test does)"
    user = None if who == "anonymous" else who
    # The CSP is bypassed in this test's context only, so that axe-core can be injected.
    page = pages.open(user, viewport=DESKTOP, bypass_csp=True, color_scheme=scheme)
    problems = []
    for path in PAGES[who]:
        path = path.format(idea=f"/ideas/{showcase}")
        response = page.goto(path)
        assert response is not None and response.status == 200, f"{path}: {response.status}"
        page.add_script_tag(path=str(AXE))
        problems += [f"{path}: {fault}" for fault in faults(page)]
    assert not problems, f"accessibility faults as {who} ({scheme}):\n" + "\n".join(problems)
