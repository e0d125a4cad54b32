"""The demo portal: `flask seed demo` builds it through the same services users call."""

import random
from datetime import timedelta

from sqlalchemy import delete, func, select, update

from portal import access, demo_data
from portal.accounts import service as accounts
from portal.admin.service import create_category
from portal.extensions import db
from portal.ideas import discussion, service
from portal.ideas.models import Comment, Follow, Idea, StatusChange, Vote
from portal.intake import service as intake
from portal.moderation import service as moderation
from portal.notify.models import Notification, OutboxMessage
from portal.routing import service as routing
from portal.timeutil import utcnow
from portal.tracking import service as tracking
from portal.tracking.models import IDEA_STATUS_FOR, ImprovementItem, ItemChange

DEMO_PASSWORD = "demo-password"
STATUS_PATH = {
    "under_review": ["under_review"],
    "planned": ["under_review", "planned"],
    "in_progress": ["under_review", "planned", "in_progress"],
    "done": ["under_review", "planned", "in_progress", "done"],
    "declined": ["under_review", "declined"],
    "duplicate": ["duplicate"],
}
ITEM_PATH = {
    "planned": ["planned"],
    "in_progress": ["planned", "in_progress"],
    "shipped": ["planned", "in_progress", "shipped"],
    "dropped": ["planned", "dropped"],
}
# Notifications of demo events older than this were read by their recipients long ago.
READ_AFTER = timedelta(days=7)

# Improvement items promoted from demo ideas (by key), in every status. Each goes through the
# tracking services (so linked ideas follow its status), then its history is dated back:
# planned some time after its newest idea was posted, shipped `shipped_days_ago` days ago.
# Notes left out come from the linked idea's demo status note, or the service's default.
ITEMS = [
    {
        "title": "Smartwatch alerts and a home-screen widget (app 4.3)",
        "ideas": ["watch-preheat-alert", "home-widget"],
        "status": "planned", "priority": "p2", "team": "Product",
        "owner": "elena.rossi@example.com", "target_days": 75,
        "description": "App 4.3 brings glanceable status:\n\n"
                       "- Apple Watch and Wear OS alerts for preheat done, timer done and "
                       "probe target reached\n"
                       "- a home-screen widget listing running appliances and their time left",
    },
    {
        "title": "Local control over the home network",
        "ideas": ["offline-local-control"],
        "status": "planned", "priority": "p1", "team": "Product",
        "owner": "admin@example.com", "target_days": 120,
        "description": "Start, stop, timers and status keep working on the same network when "
                       "the Northwind cloud is unreachable. SmartOven S3 and ChefPad first.",
    },
    {
        "title": "Read-only public API with personal access tokens",
        "ideas": ["public-api"],
        "status": "planned", "priority": "p3", "team": "Product", "target_days": 200,
        "description": "`GET` endpoints for appliance status, authenticated with personal "
                       "access tokens. Write access needs more safety work and comes later.",
    },
    {
        "title": "Pre-filled warranty registration when pairing a device",
        "ideas": ["auto-warranty-registration"],
        "status": "planned", "priority": "p3", "team": "Customer Care",
        "owner": "staff@example.com", "target_days": 90,
        "description": "Pairing fills in the serial number and date; the owner only confirms "
                       "the purchase date and uploads a receipt.",
    },
    {
        "title": "Recipe importer: plain text instead of HTML tags",
        "ideas": ["recipe-import-tags"],
        "status": "planned", "priority": "p2", "team": "Customer Care",
        "owner": "elena.rossi@example.com", "target_days": 21,
        "description": "Imported recipe steps turn basic HTML (`<br>`, `<b>`, entities) into "
                       "plain text. Ships with app 4.2.2.",
    },
    {
        # A confidential Acme idea together with a question every supplier can see: the item
        # is seen by Acme and staff only.
        "title": "Weekly 12-week rolling forecast for suppliers (CSV, then EDI DELFOR)",
        "ideas": ["acme-forecast-horizon", "edi-formats"],
        "status": "planned", "priority": "p2", "team": "Supply Chain",
        "owner": "tomas.lindqvist@example.com", "target_days": 60,
        "description": "A weekly rolling forecast per part number, weeks 1–4 firm and 5–12 "
                       "indicative. CSV first; EDIFACT DELFOR once the new ordering system is "
                       "live, using the formats suppliers listed.",
    },
    {
        "title": "Released drawing revisions in the supplier area",
        "ideas": ["drawing-revisions"],
        "status": "planned", "priority": "p3", "team": "Quality",
        "owner": "grace.mbeki@example.com", "target_days": 100,
        "description": "One list of the current released revision per part number, with its "
                       "change history, for every supplier.",
    },
    {
        "title": "Advance shipping notices at order release",
        "ideas": ["baltic-asn-timing"],
        "status": "planned", "priority": "p3", "team": "Supply Chain",
        "owner": "tomas.lindqvist@example.com", "target_days": 110,
        "description": "The warehouse system sends the ASN when the order is released, 24–36 "
                       "hours before pickup, instead of at goods issue.",
    },
    {
        "title": "Household sharing with personal logins",
        "ideas": ["household-sharing"],
        "status": "in_progress", "priority": "p1", "team": "Product",
        "owner": "elena.rossi@example.com", "target_days": 30,
        "description": "Owners invite household members by e-mail; each member has their own "
                       "login and notification settings, and the owner decides who may start "
                       "heating appliances remotely.",
    },
    {
        "title": "Android: stay signed in after background restarts",
        "ideas": ["android-logout"],
        "status": "in_progress", "priority": "p1", "team": "Product",
        "owner": "admin@example.com", "target_days": 7,
        "description": "Refresh the login token when Android restarts the app in the background.",
    },
    {
        "title": "FrostLine door alarm: sensor fix and firmware update",
        "ideas": ["fridge-door-alarm"],
        "status": "in_progress", "priority": "p1", "team": "Customer Care",
        "owner": "staff@example.com", "target_days": 14,
        "description": "Technician visits for units with a misaligned door-sensor magnet, and "
                       "firmware that ignores sub-second sensor flicker.",
    },
    {
        "title": "Beta 5.x fixes: shake reminders and ChefPad timer freeze",
        "ideas": ["airfryer-shake-reminder", "beta-hub-freeze"],
        "status": "in_progress", "priority": "p2", "team": "Product",
        "owner": "elena.rossi@example.com", "target_days": 10,
        "description": "Two problems beta testers found in firmware 5.0: the AirCrisp shake "
                       "reminder comes far too often, and the ChefPad freezes when two timers "
                       "end together.",
        "notes": {"in_progress": "In progress: both fixes are in beta 5.0.4 and 5.1; the shake "
                                 "reminder comes at most twice per program and can be switched "
                                 "off per recipe."},
    },
    {
        "title": "Qualify an alternate microcontroller for control board CB-200",
        "ideas": ["acme-alt-mcu"],
        "status": "in_progress", "priority": "p1", "team": "Quality",
        "owner": "grace.mbeki@example.com", "target_days": 40,
        "description": "Firmware port and qualification tests for the pin-compatible MCU Acme "
                       "proposed, so CB-200 supply does not depend on one manufacturer.",
    },
    {
        "title": "HS codes on every spare-part invoice",
        "ideas": ["baltic-hs-codes"],
        "status": "in_progress", "priority": "p2", "team": "Supply Chain",
        "owner": "tomas.lindqvist@example.com", "target_days": 20,
        "description": "Add HS codes to the spare-part master data so commercial invoices carry "
                       "them and shipments clear customs.",
    },
    {
        "title": "Online dock slot booking at the Tilburg DC",
        "ideas": ["dock-slot-booking"],
        "status": "in_progress", "priority": "p2", "team": "Supply Chain",
        "owner": "tomas.lindqvist@example.com", "target_days": 45,
        "description": "Carriers and suppliers book inbound slots online; outbound follows "
                       "after the pilot.",
    },
    {
        "title": "Dark theme for the ChefPad display",
        "ideas": ["hub-dark-mode"],
        "status": "shipped", "priority": "p3", "team": "Product",
        "owner": "elena.rossi@example.com", "shipped_days_ago": 82,
        "description": "A dark theme, and an automatic mode that switches at sunset.",
    },
    {
        "title": "Schedules stored in local time",
        "ideas": ["dst-schedule"],
        "status": "shipped", "priority": "p1", "team": "Customer Care",
        "owner": "staff@example.com", "shipped_days_ago": 71,
        "description": "Scheduled starts on the oven and dishwasher no longer shift by an hour "
                       "when the clocks change.",
    },
    {
        "title": "Configurable temperature presets on the K2 kettle",
        "ideas": ["kettle-presets"],
        "status": "shipped", "priority": "p3", "team": "Product", "shipped_days_ago": 64,
        "description": "Presets at 40, 70, 80, 90 and 100°C, each changeable in the app.",
    },
    {
        "title": "GS1-128 pallet labels with SSCC",
        "ideas": ["baltic-sscc-labels"],
        "status": "shipped", "priority": "p2", "team": "Supply Chain",
        "owner": "tomas.lindqvist@example.com", "shipped_days_ago": 55,
        "description": "Standard, scannable pallet labels on every outbound pallet from "
                       "Tilburg.",
    },
    {
        "title": "Returnable totes for hinge shipments",
        "ideas": ["acme-returnable-totes"],
        "status": "shipped", "priority": "p3", "team": "Supply Chain",
        "owner": "grace.mbeki@example.com", "shipped_days_ago": 45,
        "description": "Door hinges travel in returnable plastic totes from Acme's tote pool "
                       "instead of single-use cardboard.",
    },
    {
        "title": "Release notes for every beta build",
        "ideas": ["beta-changelogs"],
        "status": "shipped", "priority": "p3", "team": "Product",
        "owner": "elena.rossi@example.com", "shipped_days_ago": 33,
        "description": "Each beta build is listed on the beta page with what changed and its "
                       "known issues.",
    },
    {
        "title": "Fix duplicate push notifications",
        "ideas": ["double-push"],
        "status": "shipped", "priority": "p1", "team": "Customer Care",
        "owner": "staff@example.com", "shipped_days_ago": 12,
        "description": "App 4.1 registered for notifications twice; 4.1.2 registers once.",
    },
    {
        "title": "Matter bridge on the ChefPad hub",
        "ideas": ["matter-home-assistant"],
        "status": "dropped", "priority": "p2", "team": "Product",
        "owner": "elena.rossi@example.com", "dropped_days_ago": 6,
        "description": "Let the ChefPad act as a Matter bridge for appliances whose Wi-Fi "
                       "module cannot run Matter.",
        "notes": {"dropped": "Dropped for now: the bridge prototype lost its appliances after "
                             "every hub restart, and it would not help anyone without a "
                             "ChefPad. Back under review while we look at a documented local "
                             "API on the appliances themselves."},
    },
    {
        "title": "Monthly energy report per appliance",
        "ideas": ["energy-report"],
        "status": "dropped", "via": "in_progress", "priority": "p3", "team": "Product",
        "dropped_days_ago": 3,
        "description": "kWh and an estimated cost per appliance and per month, with the "
                       "programs that use the most.",
        "notes": {"in_progress": "Started with the oven and dishwasher, which measure their "
                                 "real power draw.",
                  "dropped": "Dropped for this release: the fridge's estimates were off by up "
                             "to 40% in our tests, and a report mixing them with real "
                             "measurements would mislead. Back under review."},
    },
]  # fmt: skip


def seed_demo(echo=print) -> bool:
    """Fill an empty portal with demo content; returns False (and changes nothing) otherwise."""
    if db.session.scalar(select(func.count(Idea.id))):
        echo("The database already has ideas: seed demo changes nothing.")
        return False
    rng = random.Random(20261123)
    now = utcnow()
    orgs = {
        name: accounts.organization_named(name, create=True) for name in demo_data.ORGANIZATIONS
    }
    teams = {name: accounts.team_named(name, create=True) for name in demo_data.TEAMS}
    users = {}
    for spec in demo_data.USERS:
        existing = db.session.scalar(
            select(accounts.User).where(accounts.User.email == spec["email"])
        )
        users[spec["email"]] = existing or accounts.create_user(
            spec["email"],
            DEMO_PASSWORD,
            display_name=spec["name"],
            kind=spec["kind"],
            role=spec["role"],
            organization=orgs.get(spec["org"]) if spec.get("org") else None,
            teams=[teams[t] for t in spec.get("teams", [])],
        )
    for spec in demo_data.CATEGORIES:
        existing = db.session.scalar(
            select(service.Category).where(service.Category.slug == spec["slug"])
        )
        if existing is None:
            create_category(
                spec["slug"],
                spec["name"],
                spec["audience"],
                team=teams.get(spec.get("team")),
                description=spec.get("description", ""),
            )
    _seed_routing(teams, users)
    # Demo people joined months ago: none of them is a "new account" under rate limits.
    for n, user in enumerate(users.values()):
        user.created_at = now - timedelta(days=150 + 7 * n)
    staff = [u for u in users.values() if u.kind == "staff"]
    item_rng = random.Random(20261124)  # its own: the ideas' random choices stay as they were
    schedules = {n: _item_schedule(spec, item_rng, now) for n, spec in enumerate(ITEMS)}
    plans = {key: (ITEMS[n], schedules[n]) for n in schedules for key in ITEMS[n]["ideas"]}
    ideas = {}
    for spec in demo_data.IDEAS:
        ideas[spec["key"]] = _seed_idea(spec, users, staff, rng, now, plans.get(spec["key"]))
    for spec in demo_data.COMMENTS:
        _seed_comment(spec, ideas[spec["idea"]], users, rng, now)
    for n, spec in enumerate(ITEMS):
        _seed_item(spec, schedules[n], ideas, users, staff, now)
    _seed_moderation(ideas, users, now)
    _date_deadlines(now)
    _seed_intake(ideas, users, now)
    _refresh_counters()
    db.session.flush()
    echo(f"Demo portal ready: {len(ideas)} ideas, {len(ITEMS)} improvement items, "
         f"{len(users)} users.")  # fmt: skip
    echo(f"Every demo account's password is: {DEMO_PASSWORD}")
    for spec in demo_data.USERS[:5]:
        echo(f"  {spec['email']:<28} {spec['kind']}/{spec['role']}")
    return True


SPAMMER = {"email": "deals4u@example.com", "name": "Quick Deals"}
SPAM_COMMENT = (
    "Speed up ANY app with our booster!!! 50% off today only at fast-app-boost.example — "
    "works for ovens too"
)
HEATED_COMMENT = "Whoever shipped 4.1 should be fired. Does anyone at Northwind test anything?"


def _seed_moderation(ideas, users, now) -> None:
    """Work for the demo moderator (a customer: community moderation): open flags on a spam
    comment and its author, below the automatic hold, and one appeal against a hidden
    comment. Everything goes through the moderation services, so the log shows it too."""
    spammer = accounts.create_user(
        SPAMMER["email"], DEMO_PASSWORD, display_name=SPAMMER["name"], kind="customer"
    )
    spammer.created_at = now - timedelta(days=1)  # a new account
    spam = discussion.add_comment(spammer, ideas["app-slow-start"], SPAM_COMMENT)
    moderation.flag(users["george@example.com"], "comment", spam.id, "spam")
    moderation.flag(users["fatima.khan@example.com"], "comment", spam.id, "spam")
    moderation.flag(users["diego@example.com"], "user", spammer.id, "other",
                    note="Posts the same advert under several ideas.")  # fmt: skip
    heated = discussion.add_comment(users["diego@example.com"], ideas["double-push"],
                                    HEATED_COMMENT)  # fmt: skip
    moderation.act(
        users["moderator@example.com"], "hide", "comment", heated.id,
        "A personal attack: criticism of the release is welcome, attacks on people are not.",
    )  # fmt: skip
    moderation.appeal(users["diego@example.com"], "comment", heated.id,
                      "Fair, that was harsh. I meant: please test notifications before a "
                      "release.")  # fmt: skip


def _seed_routing(teams, users) -> None:
    """Teams' assignment modes, answer targets and business hours, and the routing rules."""
    admin = users["admin@example.com"]
    for name, settings in demo_data.TEAM_SETTINGS.items():
        routing.configure_team(admin, teams[name], settings)
    for spec in demo_data.ROUTING_RULES:
        routing.create_rule(admin, {"name": spec["name"], "team_id": teams[spec["team"]].id,
                                    "conditions": spec["conditions"]})  # fmt: skip


def _date_deadlines(now) -> None:
    """Ideas were posted now and dated back: count their answer targets from when they were
    posted, and take the notices of what fell due long ago (a new portal does not start by
    sending hundreds of them); what falls due in the last day is left for the worker."""
    recent = now - timedelta(days=1)
    for idea in db.session.scalars(select(Idea).where(Idea.team_id.is_not(None))):
        due, warn = routing.deadlines(idea.team, idea.created_at)
        idea.first_answer_due_at, idea.answer_warn_at = due, warn
        if idea.answer_warn_at is not None and idea.answer_warn_at < recent:
            idea.answer_due_notified_at = idea.answer_warn_at
        if idea.first_answer_due_at is not None and idea.first_answer_due_at < recent:
            idea.answer_overdue_notified_at = idea.first_answer_due_at


def _seed_intake(ideas, users, now) -> None:
    """Messages from e-mail, a help desk and the widget; some worked, most waiting."""
    care = users["staff@example.com"]
    for spec in demo_data.INTAKE_MESSAGES:
        marks = _marks()
        received = intake.receive(
            source=spec["source"], sender_email=spec["from"], sender_name=spec["name"],
            subject=spec["subject"], body=spec["body"], external_ref=spec.get("ref"),
            mail_message_id=f"demo-{spec['hours_ago']}@mail.northwind.example"
            if spec["source"] == "email" else None,
            received_at=now - timedelta(hours=spec["hours_ago"]),
            sender_verified=spec["source"] != "widget",  # as if the mail server vouched
        ).message  # fmt: skip
        received.first_answer_due_at, received.answer_warn_at = routing.deadlines(
            received.team, received.received_at)  # fmt: skip
        then = spec.get("then")
        if then == "attach":
            intake.attach(care, received, ideas[spec["idea"]].id)
        elif then == "convert":
            idea = intake.convert(care, received, title=spec["title"],
                                  category=spec["category"]).idea  # fmt: skip
            if idea is not None:
                idea.created_at = idea.updated_at = received.received_at
        elif then == "dismiss":
            intake.dismiss(care, received, spec["reason"])
        _date_messages(marks, received.received_at, now)


def _seed_idea(spec, users, staff, rng, now, plan=None) -> Idea:
    author = users[spec["author"]]
    marks = _marks()
    idea = service.post_idea(
        author,
        title=spec["title"],
        body=spec["body"],
        category=spec["category"],
        kind=spec["kind"],
        confidential=spec.get("confidential", False),
    )
    created = now - timedelta(
        days=spec["age_days"], hours=rng.randint(0, 20), minutes=rng.randint(0, 59)
    )
    idea.created_at = idea.updated_at = created
    _date_messages(marks, created, now)  # "assigned to you", then
    for vote in db.session.scalars(select(Vote).where(Vote.idea_id == idea.id)):
        vote.created_at = created
    eligible = [u for u in users.values() if u.id != author.id and access.can_see_idea(u, idea)]
    for voter in rng.sample(eligible, min(spec.get("voters", 0), len(eligible))):
        db.session.add(
            Vote(idea_id=idea.id, user_id=voter.id, created_at=_between(rng, created, now))
        )
        db.session.add(Follow(idea_id=idea.id, user_id=voter.id))
    steps, final_note, until, final_at = _status_plan(spec, plan, now)
    if steps:
        responsible = _staff_for(idea, staff, rng)
        moment = created
        previous = "open"
        for index, status in enumerate(steps):
            last = index == len(steps) - 1
            moment = final_at if last and final_at else _between(rng, moment, until)
            note = final_note if last else None
            db.session.add(
                StatusChange(
                    idea_id=idea.id,
                    by_id=responsible.id,
                    from_status=previous,
                    to_status=status,
                    note=note,
                    created_at=moment,
                )  # fmt: skip
            )
            previous = status
            if note and idea.first_staff_answer_at is None:
                idea.first_staff_answer_at = moment
        idea.status = steps[-1]
        idea.status_note = final_note
    db.session.flush()
    return idea


def _status_plan(spec, plan, now):
    """The status changes to seed for an idea: (steps, note of the last, until, last at).

    An idea that an item holds is seeded only up to its promotion: up to `planned` at the
    item's own planning moment when that is its demo status, otherwise up to `under_review`
    (the tracking services then move it along with its item).
    """
    status, note = spec["status"], spec.get("status_note")
    if plan is None:
        return (STATUS_PATH[status] if status != "open" else []), note, now, None
    schedule = plan[1]
    if status == "planned":
        return STATUS_PATH["planned"], note, schedule["planned"], schedule["planned"]
    if status == "open":
        return [], None, now, None
    return ["under_review"], note if status == "under_review" else None, schedule["planned"], None


def _staff_for(idea, staff, rng):
    team = idea.category.team
    members = [u for u in staff if team is not None and team in u.teams]
    return rng.choice(members or staff)


def _between(rng, start, end):
    span = max((end - start).total_seconds(), 60)
    return start + timedelta(seconds=rng.uniform(span * 0.05, span * 0.6))


def _seed_comment(spec, idea, users, rng, now) -> None:
    author = users[spec["author"]]
    moment = _between(rng, idea.created_at, now)
    marks = _marks()
    comment = discussion.add_comment(
        author, idea, spec["body"], official=spec.get("official", False)
    )
    comment.created_at = moment
    _date_messages(marks, moment, now)
    if access.is_staff(author) and (
        idea.first_staff_answer_at is None or idea.first_staff_answer_at > moment
    ):
        idea.first_staff_answer_at = moment
    for reply_spec in spec.get("replies", []):
        moment = _between(rng, moment, now)
        marks = _marks()
        reply = discussion.add_comment(
            users[reply_spec["author"]], idea, reply_spec["body"], parent_id=comment.id
        )
        reply.created_at = moment
        _date_messages(marks, moment, now)


def _refresh_counters() -> None:
    """Counters and trending scores from the rows (the demo backdates what services wrote)."""
    db.session.flush()
    votes = dict(
        db.session.execute(select(Vote.idea_id, func.count()).group_by(Vote.idea_id)).all()
    )
    comments = dict(
        db.session.execute(
            select(Comment.idea_id, func.count())
            .where(Comment.deleted_at.is_(None))
            .group_by(Comment.idea_id)
        ).all()
    )
    for idea in db.session.scalars(select(Idea)):
        v, c = votes.get(idea.id, 0), comments.get(idea.id, 0)
        db.session.execute(
            update(Idea)
            .where(Idea.id == idea.id)
            .values(votes_count=v, comments_count=c, hot=service.hot_score(v, c, idea.created_at))
            .execution_options(synchronize_session=False)
        )
    db.session.expire_all()


def _item_schedule(spec, rng, now) -> dict:
    """When an item reached each status of its path: after its newest idea was posted, evenly
    towards the day it shipped or was dropped (or today)."""
    ages = {i["key"]: i["age_days"] for i in demo_data.IDEAS}
    newest = min(ages[key] for key in spec["ideas"])
    end = spec.get("shipped_days_ago") or spec.get("dropped_days_ago") or 0
    span = newest - end
    path = _item_path(spec)
    days = {"planned": end + span * 0.6, "in_progress": end + span * 0.3}
    if spec["status"] in ("shipped", "dropped"):
        days[spec["status"]] = end
    return {status: now - timedelta(days=days[status], minutes=rng.randint(0, 600))
            for status in path}  # fmt: skip


def _item_path(spec) -> list[str]:
    if spec["status"] == "dropped" and spec.get("via") == "in_progress":
        return ["planned", "in_progress", "dropped"]
    return ITEM_PATH[spec["status"]]


def _item_note(spec, status) -> str | None:
    """The note of a status change: the spec's own, else the one demo status note of the
    linked ideas that this status gives them, else None (the service says what changed)."""
    if status in spec.get("notes", {}):
        return spec["notes"][status]
    demo = {i["key"]: i for i in demo_data.IDEAS}
    notes = {demo[key].get("status_note") for key in spec["ideas"]
             if demo[key]["status"] == IDEA_STATUS_FOR[status]}  # fmt: skip
    return notes.pop() if len(notes) == 1 else None


def _seed_item(spec, schedule, ideas, users, staff, now) -> ImprovementItem:
    """Promote the spec's ideas and move the item along its path, as a staff member would;
    then date what the services wrote back to when it happened."""
    linked = [ideas[key] for key in spec["ideas"]]
    owner = users.get(spec.get("owner"))
    team = spec["team"]
    actor = owner or next((u for u in staff if any(t.name == team for t in u.teams)), staff[0])
    path = _item_path(spec)
    marks = _marks()
    item = tracking.promote(
        actor, [idea.id for idea in linked], title=spec["title"],
        description=spec.get("description", ""), team=team,
        owner_id=owner.id if owner else None, priority=spec["priority"],
        target_date=(now + timedelta(days=spec["target_days"])).date()
        if spec.get("target_days") else None,
    )  # fmt: skip
    _date_back(marks, schedule["planned"], linked, now)
    for status in path[1:]:
        marks = _marks()
        tracking.update_item(actor, item, status=status, note=_item_note(spec, status))
        _date_back(marks, schedule[status], linked, now)
    item.created_at = schedule["planned"]
    item.updated_at = schedule[path[-1]]
    if item.status == "shipped":
        item.shipped_at = schedule["shipped"]
    db.session.flush()
    return item


def _marks() -> dict:
    """The highest ids so far of the rows a tracking service writes."""
    return {model: db.session.scalar(select(func.coalesce(func.max(model.id), 0)))
            for model in (StatusChange, ItemChange, Notification, OutboxMessage)}  # fmt: skip


def _date_back(marks, moment, linked, now) -> None:
    """Date the rows written since `marks` back to `moment`, as if it happened then."""
    db.session.flush()
    for model in (StatusChange, ItemChange):
        db.session.execute(
            update(model).where(model.id > marks[model]).values(created_at=moment)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
    _date_messages(marks, moment, now)
    answered = set(
        db.session.scalars(
            select(StatusChange.idea_id).where(
                StatusChange.id > marks[StatusChange], StatusChange.note.is_not(None)
            )
        )
    )
    for idea in linked:
        if idea.updated_at > now:
            idea.updated_at = moment
        if idea.id in answered and (
            idea.first_staff_answer_at is None or idea.first_staff_answer_at > moment
        ):
            idea.first_staff_answer_at = moment


def _date_messages(marks, moment, now) -> None:
    """Notifications written since `marks` happened at `moment` (and were read, if that is
    long ago); the e-mails queued with them are dropped: nobody is written to today about
    what happened weeks ago."""
    db.session.flush()
    read_at = moment + timedelta(hours=20) if moment < now - READ_AFTER else None
    db.session.execute(
        update(Notification)
        .where(Notification.id > marks[Notification])
        .values(created_at=moment, read_at=read_at)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.id > marks[OutboxMessage])
        .execution_options(synchronize_session=False)
    )
