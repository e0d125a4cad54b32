"""Staff pages: triage lists, dashboard figures, CSV exports, access and query counts.

The dashboard's figures are checked against counts the tests work out on their own, in
Python over the rows (calendar arithmetic instead of the service's SQL week buckets).
"""

import csv
import io
import statistics
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from portal import access
from portal.extensions import db
from portal.ideas import discussion
from portal.ideas import service as ideas
from portal.ideas.models import Idea, Vote
from portal.timeutil import utcnow
from portal.tracking import service as tracking
from portal.tracking import staff
from portal.tracking.models import ImprovementItem
from tests.conftest import PASSWORD

PAGES = ("/staff", "/staff/triage", "/staff/export/ideas.csv", "/staff/export/items.csv")


def _age(idea: Idea, delta: timedelta, now=None) -> Idea:
    """Backdate an idea (and its author's vote) by `delta`."""
    moment = (now or utcnow()) - delta
    idea.created_at = idea.updated_at = moment
    for vote in db.session.scalars(select(Vote).where(Vote.idea_id == idea.id)):
        vote.created_at = moment
    return idea


def _vote(user, idea: Idea, delta: timedelta, now=None) -> None:
    ideas.set_vote(user, idea, True)
    vote = db.session.scalar(select(Vote).where(Vote.idea_id == idea.id, Vote.user_id == user.id))
    vote.created_at = (now or utcnow()) - delta


@pytest.fixture
def world(make):
    """Two teams, staff in and out of them, the three audiences and an unrouted category."""
    kitchen_team, supply_team = make.team("Kitchen"), make.team("Supply")
    acme = make.org("Acme")
    w = SimpleNamespace(
        kitchen_team=kitchen_team,
        supply_team=supply_team,
        customer=make.user(name="Cleo Customer"),
        customer2=make.user(name="Carl Customer"),
        supplier=make.user("supplier", org=acme, name="Sid Supplier"),
        supplier2=make.user("supplier", org=make.org("Baltic"), name="Bo Supplier"),
        staff=make.user("staff", name="Stella Staff"),
        lone_staff=make.user("staff", name="Lone Staff"),
        admin=make.user("staff", role="admin", name="Ada Admin"),
        moderator=make.user(role="moderator", name="Milo Moderator"),
        kitchen=make.category("public", slug="kitchen", team=kitchen_team),
        logistics=make.category("suppliers", slug="logistics", team=supply_team),
        care=make.category("customers", slug="care", team=kitchen_team),
        general=make.category("public", slug="general"),
    )
    w.staff.teams.append(kitchen_team)
    db.session.commit()
    return w


def _counted_by(user):
    """Ideas the dashboard must count for `user`, worked out object by object."""
    rows = db.session.scalars(select(Idea)).all()
    return [
        idea
        for idea in rows
        if access.can_see_idea(user, idea)
        and (not idea.hidden or access.sees_hidden(user))
        and idea.merged_into_id is None
    ]


def _week_index(moment, now) -> int | None:
    """Which of the last 12 calendar weeks (Monday to Sunday) `moment` falls in, this week 11."""
    this_monday = now.date() - timedelta(days=now.weekday())
    weeks_back = (this_monday - moment.date()).days
    index = 11 - (-(-weeks_back // 7)) if weeks_back > 0 else 11
    return index if index >= 0 else None


def _expected(user, now):
    counted = _counted_by(user)
    counted_ids = {idea.id for idea in counted}
    ideas_week, votes_week = [0] * 12, [0] * 12
    ideas_kind = {"customer": 0, "supplier": 0, "staff": 0}
    votes_kind = dict(ideas_kind)
    for idea in counted:
        ideas_kind[idea.author.kind] += 1
        if (week := _week_index(idea.created_at, now)) is not None:
            ideas_week[week] += 1
    for vote in db.session.scalars(select(Vote)):
        if vote.idea_id in counted_ids:
            votes_kind[db.session.get(type(user), vote.user_id).kind] += 1
            if (week := _week_index(vote.created_at, now)) is not None:
                votes_week[week] += 1
    items = {item.id: item for item in db.session.scalars(select(ImprovementItem))}
    promoted = [idea for idea in counted if idea.item_id is not None]
    shipped = [idea for idea in promoted if items[idea.item_id].status == "shipped"]
    hours = {}
    for idea in counted:
        if idea.first_staff_answer_at is not None:
            team = idea.category.team.name if idea.category.team else "No team"
            spent = (idea.first_staff_answer_at - idea.created_at).total_seconds() / 3600
            hours.setdefault(team, []).append(spent)
    medians = {team: round(statistics.median(values), 1) for team, values in hours.items()}
    return SimpleNamespace(
        ideas_week=ideas_week, votes_week=votes_week, ideas_kind=ideas_kind,
        votes_kind=votes_kind, funnel=[len(counted), len(promoted), len(shipped)],
        medians=medians,
    )  # fmt: skip


@pytest.fixture
def busy(world, make):
    """Ideas over five months, votes, answers, an item in progress and one shipped."""
    now = utcnow()
    w = world
    w.now = now
    spec = [  # author, category, age, hours to the first staff answer (None: unanswered)
        (w.customer, w.kitchen, timedelta(days=1), 2),
        (w.customer, w.kitchen, timedelta(days=8, hours=3), 4),
        (w.customer2, w.kitchen, timedelta(days=30), 10),
        (w.customer, w.care, timedelta(days=15), None),
        (w.supplier, w.logistics, timedelta(days=2), 1),
        (w.supplier, w.logistics, timedelta(days=100), 3),
        (w.supplier2, w.logistics, timedelta(days=40), None),
        (w.staff, w.general, timedelta(days=5), 5),
        (w.customer2, w.general, timedelta(days=90), None),
    ]
    w.ideas = []
    for author, category, age, answer in spec:
        idea = _age(make.idea(author=author, category=category), age, now)
        if answer is not None:
            idea.first_staff_answer_at = idea.created_at + timedelta(hours=answer)
        w.ideas.append(idea)
    w.confidential = _age(
        make.idea(author=w.supplier, category=w.logistics, confidential=True),
        timedelta(days=3),
        now,
    )
    w.confidential.first_staff_answer_at = w.confidential.created_at + timedelta(hours=50)
    w.hidden = _age(make.idea(author=w.customer, category=w.kitchen), timedelta(days=1), now)
    w.hidden.hidden = True
    w.hidden.first_staff_answer_at = w.hidden.created_at + timedelta(hours=500)
    w.merged = _age(make.idea(author=w.customer2, category=w.kitchen), timedelta(days=6), now)
    w.merged.merged_into_id = w.ideas[0].id
    w.merged.status = "duplicate"
    db.session.commit()
    for voter, idea, age in [
        (w.customer2, w.ideas[0], timedelta(hours=5)),
        (w.supplier, w.ideas[0], timedelta(days=9)),
        (w.staff, w.ideas[0], timedelta(days=2)),
        (w.supplier2, w.ideas[4], timedelta(days=1)),
        (w.customer2, w.ideas[7], timedelta(days=120)),
    ]:
        _vote(voter, idea, age, now)
    # Rows the services would refuse (a hidden idea takes no votes), counted or not all the same.
    db.session.add(Vote(idea_id=w.hidden.id, user_id=w.customer2.id, created_at=now))
    db.session.add(Vote(idea_id=w.confidential.id, user_id=w.staff.id, created_at=now))
    db.session.commit()
    in_progress = tracking.promote(w.staff, [w.ideas[1].id, w.ideas[2].id])
    tracking.update_item(w.staff, in_progress, status="in_progress")
    done = tracking.promote(w.staff, [w.ideas[4].id])
    tracking.update_item(w.staff, done, status="in_progress")
    tracking.update_item(w.staff, done, status="shipped")
    db.session.commit()
    w.items = [in_progress, done]
    return w


def _check(figures, expected):
    assert figures.ideas_per_week == expected.ideas_week
    assert figures.votes_per_week == expected.votes_week
    assert figures.ideas_by_kind == expected.ideas_kind
    assert figures.votes_by_kind == expected.votes_kind
    assert [count for _stage, count in figures.funnel] == expected.funnel
    assert {a.team: a.median_hours for a in figures.answers} == expected.medians


def test_dashboard_figures_match_independent_counts(busy):
    w = busy
    figures = staff.dashboard(w.staff, now=w.now)
    expected = _expected(w.staff, w.now)
    _check(figures, expected)
    # Written out by hand too: the hidden and the merged ideas never count for staff.
    assert expected.funnel == [10, 3, 1]
    assert figures.ideas_by_kind == {"customer": 5, "supplier": 4, "staff": 1}
    assert sum(figures.ideas_per_week) == 8  # the 90- and 100-day-old ideas are older
    assert figures.votes_by_kind == {"customer": 7, "supplier": 6, "staff": 3}
    assert expected.medians == {"Kitchen": 4.0, "Supply": 3.0, "No team": 5.0}
    assert figures.median_hours == 4.0  # of 1, 2, 3, 4, 5, 10 and 50 hours
    assert figures.answered == 7
    assert len(figures.weeks) == 12 and figures.weeks[-1].weekday() == 0


def test_dashboard_applies_visibility_for_whoever_asks(busy):
    w = busy
    # The service applies access even for people the pages turn away: a customer counts no
    # suppliers' idea, an admin counts hidden ideas too.
    for viewer in (w.customer, w.supplier2, w.admin):
        _check(staff.dashboard(viewer, now=w.now), _expected(viewer, w.now))
    customer = staff.dashboard(w.customer, now=w.now)
    assert customer.ideas_by_kind["supplier"] == 0
    admin = staff.dashboard(w.admin, now=w.now)
    assert admin.funnel[0][1] == 11  # the hidden idea counts for an admin; merged never


def test_dashboard_page_renders_the_figures(client, login, busy):
    w = busy
    login(w.staff)
    response = client.get("/staff")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Staff dashboard</h1>" in html
    assert html.count('<svg class="chart"') == 6
    assert html.count("<title id=") == 6 and html.count("<desc id=") == 6
    assert html.count('<details class="chart-data">') == 6
    figures = staff.dashboard(w.staff)
    assert f": {sum(figures.ideas_per_week)} in all" in html
    assert "Of 10 ideas, 3 (30%) were promoted to an improvement item and 1 (10%) shipped." in html
    assert "Kitchen 4.0 hours" in html
    assert ' style="' not in html  # the CSP forbids inline styles
    assert 'href="/staff/export/ideas.csv"' in html and 'href="/staff/triage"' in html


def test_dashboard_on_an_empty_portal(client, login, world):
    login(world.staff)
    html = client.get("/staff").get_data(as_text=True)
    assert "No idea has a staff answer yet." in html
    assert "Of 0 ideas, 0 (0%) were promoted" in html


def _role(world, role):
    return None if role == "anonymous" else getattr(world, role)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("customer", 403),
        ("supplier", 403),
        ("moderator", 403),
        ("staff", 200),
        ("lone_staff", 200),
        ("admin", 200),
    ],
)
@pytest.mark.parametrize("path", PAGES)
def test_staff_pages_access(client, login, world, role, expected, path):
    user = _role(world, role)
    if user is not None:
        login(user)
    response = client.get(path)
    assert response.status_code == expected
    if expected == 302:
        assert response.headers["Location"].startswith("/login?next=")
    home = client.get("/").get_data(as_text=True)
    assert ('href="/staff"' in home) is (expected == 200)


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))


def test_ideas_csv_applies_visibility_and_neutralises_formulas(app, client, login, world, make):
    w = world
    formula = make.idea(author=w.customer, category=w.kitchen, title='=HYPERLINK("http://x","y")')
    tricky = make.idea(author=w.supplier, category=w.logistics, confidential=True)
    tricky.title = 'A "quoted" title,\nover two lines'
    plus = make.idea(author=w.customer, category=w.kitchen, title="+1 for a quieter fan")
    hidden = make.idea(author=w.customer, category=w.kitchen, title="Hidden by the moderators")
    hidden.hidden = True
    db.session.commit()
    login(w.staff)
    rows = _csv(client.get("/staff/export/ideas.csv"))
    header, body = rows[0], {int(row[0]): dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert header == list(staff.IDEA_COLUMNS)
    assert set(body) == {formula.id, tricky.id, plus.id}
    assert body[formula.id]["title"] == '\'=HYPERLINK("http://x","y")'
    assert body[plus.id]["title"] == "'+1 for a quieter fan"
    assert body[tricky.id]["title"] == 'A "quoted" title,\nover two lines'
    assert body[tricky.id]["confidential"] == "yes"
    assert body[tricky.id]["organization"] == "Acme"
    assert body[formula.id]["team"] == "Kitchen"

    # An admin sees everything, the hidden idea included.
    admin = app.test_client()
    admin.post("/login", data={"email": w.admin.email, "password": PASSWORD})
    rows = _csv(admin.get("/staff/export/ideas.csv"))
    assert {int(row[0]) for row in rows[1:]} == {formula.id, tricky.id, plus.id, hidden.id}


def test_csv_cell_guards_every_formula_start():
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert staff.csv_cell(f"{start}SUM(A1)") == f"'{start}SUM(A1)"
    assert staff.csv_cell("Fine text") == "Fine text"
    assert staff.csv_cell(-3) == -3  # numbers are data, not formulas
    assert staff.csv_cell(None) == ""
    assert staff.csv_cell(True) == "yes"


def test_items_csv(client, login, busy):
    w = busy
    w.items[0].title = "@cmd|' /C calc'!A0 cheaper shelves"
    db.session.commit()
    login(w.staff)
    rows = _csv(client.get("/staff/export/items.csv"))
    assert rows[0] == list(staff.ITEM_COLUMNS)
    body = {int(row[0]): dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert set(body) == {item.id for item in w.items}
    first, shipped = body[w.items[0].id], body[w.items[1].id]
    assert first["title"] == "'@cmd|' /C calc'!A0 cheaper shelves"
    assert first["idea_ids"] == f"{w.ideas[1].id} {w.ideas[2].id}"
    assert first["ideas"] == "2"
    assert first["votes"] == str(w.ideas[1].votes_count + w.ideas[2].votes_count)
    assert first["status"] == "in_progress" and first["team"] == "Kitchen"
    assert shipped["status"] == "shipped" and shipped["shipped_at"].endswith("Z")


def test_triage_lists_routed_unanswered_ideas_oldest_first(client, login, world, make):
    w = world
    now = utcnow()
    old = _age(make.idea(author=w.customer, category=w.kitchen), timedelta(days=9), now)
    newer = _age(make.idea(author=w.customer, category=w.care), timedelta(days=2), now)
    newest = _age(make.idea(author=w.customer2, category=w.kitchen), timedelta(hours=3), now)
    other_team = _age(make.idea(author=w.supplier, category=w.logistics), timedelta(days=20), now)
    unrouted = _age(make.idea(author=w.customer, category=w.general), timedelta(days=4), now)
    hidden = _age(make.idea(author=w.customer, category=w.kitchen), timedelta(days=30), now)
    hidden.hidden = True
    merged = _age(make.idea(author=w.customer, category=w.kitchen), timedelta(days=12), now)
    merged.merged_into_id = old.id
    db.session.commit()

    listed = staff.triage(w.staff, now=now)
    assert [i.id for i in listed.unanswered] == [old.id, newer.id, newest.id]
    assert listed.unanswered_total == 3
    everyone = staff.triage(w.lone_staff, now=now)  # in no team: every team's ideas
    assert [i.id for i in everyone.unanswered] == [
        other_team.id, old.id, unrouted.id, newer.id, newest.id
    ]  # fmt: skip

    # A staff comment answers one; a status change with a note another; without a note, not.
    discussion.add_comment(w.lone_staff, old, "Thanks, we are looking into it.")
    ideas.change_status(w.lone_staff, newest, "under_review")
    ideas.change_status(w.lone_staff, newer, "under_review", note="Checking with the team.")
    db.session.commit()
    assert [i.id for i in staff.triage(w.staff, now=now).unanswered] == [newest.id]

    login(w.staff)
    html = client.get("/staff/triage").get_data(as_text=True)
    waiting = html.split('id="promising-heading"')[0]
    assert f'href="/ideas/{newest.id}#staff-title"' in waiting
    assert f'href="/ideas/{old.id}#staff-title"' not in waiting
    assert ">3 hours</time>" in html
    assert "Ideas routed to Kitchen" in html


def test_triage_promising_ideas(client, login, world, make, app):
    w = world
    app.config["PROMISING_VOTES"] = 5
    made = [make.idea(author=w.customer, category=w.kitchen) for _ in range(13)]
    for rank, idea in enumerate(made):
        idea.hot = 100.0 - rank  # made[0] is the hottest
    popular_but_cold = made[12]
    popular_but_cold.votes_count = 7
    settled = made[0]
    settled.status = "declined"
    hidden = make.idea(author=w.customer, category=w.kitchen)
    hidden.votes_count, hidden.hidden = 50, True
    db.session.commit()

    def promising():
        return [idea.id for idea in staff.triage(w.staff).promising]

    # Trending: the ten hottest undecided ones (made[1..10]); made[11] is not, made[12] has
    # the votes. The declined and the hidden ones never count.
    expected = {i.id for i in made[1:11]} | {popular_but_cold.id}
    assert set(promising()) == expected
    assert promising()[0] == popular_but_cold.id  # most votes first

    tracking.promote(w.staff, [made[1].id])
    db.session.commit()
    now_listed = set(promising())
    assert made[1].id not in now_listed
    assert made[11].id in now_listed  # the next hottest moves up into the ten

    login(w.staff)
    html = client.get("/staff/triage").get_data(as_text=True)
    assert "5+ votes" in html and "Trending" in html
    assert f'href="/ideas/{popular_but_cold.id}#staff-title"' in html
    assert f"/ideas/{hidden.id}" not in html


def test_describe_age():
    now = utcnow()
    assert staff.describe_age(now - timedelta(seconds=5), now) == "1 minute"
    assert staff.describe_age(now - timedelta(minutes=40), now) == "40 minutes"
    assert staff.describe_age(now - timedelta(hours=30), now) == "30 hours"
    assert staff.describe_age(now - timedelta(days=3, hours=5), now) == "3 days"
    assert staff.describe_age(now - timedelta(days=30), now) == "4 weeks"


def test_week_starts_are_mondays_at_midnight():
    now = utcnow()
    starts = staff.week_starts(now)
    assert len(starts) == 12
    assert all(s.weekday() == 0 and s.time().isoformat() == "00:00:00" for s in starts)
    assert starts[-1] <= now < starts[-1] + timedelta(days=7)


def _queries(client, count_queries, url) -> int:
    client.get(url)
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_staff_pages_query_count_is_fixed(client, login, world, make, count_queries):
    w = world
    login(w.staff)
    make.idea(author=w.customer, category=w.kitchen)
    small = _queries(client, count_queries, "/staff")
    small_triage = _queries(client, count_queries, "/staff/triage")
    for n in range(15):
        author = (w.customer, w.supplier, w.customer2)[n % 3]
        category = (w.kitchen, w.logistics, w.general)[n % 3]
        idea = _age(make.idea(author=author, category=category), timedelta(days=n * 6))
        if n % 2:
            idea.first_staff_answer_at = idea.created_at + timedelta(hours=n)
        for voter in (w.staff, w.lone_staff, w.admin)[: n % 4]:
            ideas.set_vote(voter, idea, True)
    item = tracking.promote(w.staff, [idea.id])
    tracking.update_item(w.staff, item, status="in_progress")
    db.session.commit()
    assert _queries(client, count_queries, "/staff") == small
    assert _queries(client, count_queries, "/staff/triage") == small_triage
    assert small <= 10
