"""Routing (SPEC 13): which team and person an idea or intake message goes to, and by when
it must be answered.

Rules are tried in `position` order and the first whose conditions all hold decides; when
none holds, the category's team decides. The team's assignment mode then picks a person
(or nobody: the team's queue), and the team's answer target, counted in its business hours
from posting or arrival, sets `first_answer_due_at` and the moment of the 80% warning.
Everything here runs inside the transaction of the change that routes.
"""

import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal import access
from portal.accounts.models import ASSIGNMENT_MODES, KINDS, Organization, Team, User
from portal.admin import audit
from portal.errors import Invalid, NotFound, refuse
from portal.extensions import db
from portal.ideas.models import IDEA_KINDS, Category, Idea
from portal.intake.models import SOURCES, IntakeMessage
from portal.notify import service as notify
from portal.routing.hours import (
    BusinessHours,
    BusinessHoursError,
    business_hours_between,
    due_at,
    warning_at,
)
from portal.routing.models import CONDITION_KEYS, RoutingRule
from portal.timeutil import utcnow
from portal.validation import choice, clean_text, is_id

log = logging.getLogger(__name__)

# What counts as open work when balancing load: the statuses of ideas still to be answered.
CLOSED_STATUSES = ("done", "declined", "duplicate")
# Where an idea posted on the portal itself came from, for a rule's `source` condition.
PORTAL_SOURCE = "portal"


@dataclass(frozen=True)
class Subject:
    """What routing looks at, for an idea or an intake message alike."""

    category_id: int | None
    kind: str | None
    author_kind: str | None
    organization_id: int | None
    source: str
    text: str


@dataclass(frozen=True)
class Decision:
    team: Team | None
    assignee: User | None  # a rule's named person (still subject to availability)
    rule: RoutingRule | None


def idea_subject(idea: Idea) -> Subject:
    return Subject(
        category_id=idea.category_id,
        kind=idea.kind,
        author_kind=idea.author.kind if idea.author else None,
        organization_id=idea.organization_id,
        source=PORTAL_SOURCE,
        text=f"{idea.title}\n{idea.body}",
    )


def message_subject(message: IntakeMessage) -> Subject:
    return Subject(
        category_id=message.category_id,
        kind=None,
        author_kind=message.user.kind if message.user else None,
        organization_id=message.organization_id,
        source=message.source,
        text=f"{message.subject}\n{message.body}",
    )


def _words_match(words: list[str], text: str) -> bool:
    # Whole words, any case: "refund" matches "Refund?" but not "refunded".
    for word in words:
        pattern = r"(?<!\w)" + re.escape(word.strip()) + r"(?!\w)"
        if word.strip() and re.search(pattern, text, flags=re.IGNORECASE):
            return True
    return False


def rule_matches(conditions: dict, subject: Subject, category_slugs: dict[int, str]) -> bool:
    """Every condition present holds (an absent one holds for everything)."""
    actual = {
        "category": category_slugs.get(subject.category_id or 0),
        "kind": subject.kind,
        "author_kind": subject.author_kind,
        "source": subject.source,
        "organization": subject.organization_id,
    }
    for key, value in conditions.items():
        if key == "words":
            if not _words_match(value, subject.text):
                return False
        elif actual.get(key) != value:
            return False
    return True


def ordered_rules() -> list[RoutingRule]:
    return list(db.session.scalars(select(RoutingRule).order_by(RoutingRule.position,
                                                                RoutingRule.id)))  # fmt: skip


def decide(subject: Subject) -> Decision:
    """The first matching rule's team (and person), else the category's team."""
    rules = ordered_rules()
    slugs = {row[0]: row[1] for row in db.session.execute(select(Category.id, Category.slug))}
    for rule in rules:
        if rule_matches(rule.conditions, subject, slugs):
            return Decision(rule.team, rule.assignee, rule)
    category = db.session.get(Category, subject.category_id) if subject.category_id else None
    return Decision(category.team if category else None, None, None)


# -- assignment -------------------------------------------------------------------------------


def takes_work(user: User | None, now: datetime) -> bool:
    """Someone routing may give work to: available staff (or an admin), not suspended."""
    return (
        user is not None
        and (user.kind == "staff" or user.role == "admin")
        and user.available
        and not user.is_suspended(now)
    )


def _open_load(member_ids: list[int]) -> dict[int, int]:
    """Open, unanswered ideas and messages per person (least-loaded assignment)."""
    ideas = select(Idea.assignee_id, func.count()).where(
        Idea.assignee_id.in_(member_ids),
        Idea.first_staff_answer_at.is_(None),
        Idea.hidden.is_(False),
        Idea.merged_into_id.is_(None),
        Idea.status.not_in(CLOSED_STATUSES),
    )
    messages = select(IntakeMessage.assignee_id, func.count()).where(
        IntakeMessage.assignee_id.in_(member_ids),
        IntakeMessage.status == "open",
        IntakeMessage.first_answered_at.is_(None),
    )
    load = dict.fromkeys(member_ids, 0)
    for query in (ideas, messages):
        for user_id, count in db.session.execute(query.group_by(query.selected_columns[0])):
            load[user_id] += count
    return load


def pick_assignee(team: Team | None, named: User | None, now: datetime) -> User | None:
    """Who gets new work of `team`: the rule's named person when they take work, else by the
    team's mode; nobody (the team's queue) when nobody available is left."""
    if takes_work(named, now):
        return named
    if team is None or team.assignment == "queue":
        return None
    members = [m for m in team.members if takes_work(m, now)]
    if not members:
        return None
    oldest = datetime.min
    if team.assignment == "round_robin":
        return min(members, key=lambda m: (m.last_assigned_at or oldest, m.id))
    load = _open_load([m.id for m in members])
    return min(members, key=lambda m: (load[m.id], m.last_assigned_at or oldest, m.id))


# -- answer targets ---------------------------------------------------------------------------


def business_hours(team: Team) -> BusinessHours:
    if not team.business_hours:
        return BusinessHours()
    return BusinessHours.from_dict(json.loads(team.business_hours))


# A promise further out than this is no promise (and would make the arithmetic run long).
LONGEST_PROMISE = timedelta(days=366)


def deadlines(team: Team | None, start: datetime) -> tuple[datetime | None, datetime | None]:
    """(first answer due, 80% warning) for work that arrived at `start`; none without target."""
    if team is None or team.answer_target_hours is None:
        return None, None
    hours = business_hours(team)
    try:
        due = due_at(start, team.answer_target_hours, hours)
        return due, warning_at(start, due, hours)
    except (OverflowError, ValueError):  # a target beyond the calendar: no deadline
        log.warning("team %s: answer target out of range; no deadline", team.id)
        return None, None


def schedule(target, team: Team | None, start: datetime, now: datetime) -> None:
    """Set an idea's or message's deadlines for `team`. A notice already sent stays sent
    when the new deadline has passed too: moving work away and back repeats nothing."""
    due, warn = deadlines(team, start)
    target.first_answer_due_at, target.answer_warn_at = due, warn
    if due is None or due > now:
        target.answer_overdue_notified_at = None
    if warn is None or warn > now:
        target.answer_due_notified_at = None


def _apply(target, decision: Decision, start: datetime, now: datetime) -> User | None:
    team = decision.team
    assignee = pick_assignee(team, decision.assignee, now)
    target.team = team
    target.assignee = assignee
    schedule(target, team, start, now)
    if assignee is not None:
        assignee.last_assigned_at = now
    return assignee


def route_idea(idea: Idea, now: datetime | None = None) -> User | None:
    """Route a new (or re-categorised) idea; returns whom it was given to, if anyone."""
    now = now or utcnow()
    decision = decide(idea_subject(idea))
    assignee = _apply(idea, decision, idea.created_at or now, now)
    log.info("idea %s routed to team %s, assignee %s (rule %s)", idea.id, idea.team_id,
             idea.assignee_id, decision.rule.id if decision.rule else None)  # fmt: skip
    return assignee


def route_message(message: IntakeMessage, now: datetime | None = None) -> User | None:
    now = now or utcnow()
    decision = decide(message_subject(message))
    assignee = _apply(message, decision, message.received_at or now, now)
    log.info("intake message %s routed to team %s, assignee %s (rule %s)", message.id,
             message.team_id, message.assignee_id,
             decision.rule.id if decision.rule else None)  # fmt: skip
    return assignee


# -- reassignment -----------------------------------------------------------------------------


def _team(team_id) -> Team:
    team = db.session.get(Team, team_id) if is_id(team_id) else None
    if team is None:
        raise Invalid(_("Team: there is no such team."), {"team_id": [_("No such team.")]})
    return team


def _assignee(assignee_id) -> User:
    person = db.session.get(User, assignee_id) if is_id(assignee_id) else None
    if person is None or not access.takes_assignments(person):
        message = _("There is no staff member with this id.")
        raise Invalid(_("Assignee: %(message)s", message=message), {"assignee_id": [message]})
    return person


# Absent, as opposed to null (which takes the work off its assignee).
UNSET = object()


def reassign_idea(actor, idea: Idea, *, team_id=None, assignee_id=UNSET) -> User | None:
    refuse(access.reassign_refusal(actor, idea))
    return reassign(actor, idea, team_id=team_id, assignee_id=assignee_id, start=idea.created_at)


def reassign(actor, target, *, team_id=None, assignee_id=UNSET, start: datetime) -> User | None:
    """Staff give an idea or message to another team and/or person. A new team without a
    named person hands it out by that team's mode and restarts its answer target; `null`
    for `assignee_id` takes it off whoever had it (back to the team's queue)."""
    if team_id is None and assignee_id is UNSET:
        message = _("Name a team_id, an assignee_id, or both.")
        raise Invalid(message, {"team_id": [message]})
    now = utcnow()
    new_team = _team(team_id) if team_id is not None else None
    team_changed = new_team is not None and new_team.id != target.team_id
    if team_changed:
        target.team = new_team
        schedule(target, new_team, start, now)
    previous = target.assignee_id
    if assignee_id is UNSET:
        given = pick_assignee(new_team, None, now) if team_changed else target.assignee
    elif assignee_id in (None, ""):
        given = None
    else:
        given = _assignee(assignee_id)
    target.assignee = given
    if given is None or given.id == previous:
        return None
    given.last_assigned_at = now
    idea = target if isinstance(target, Idea) else None
    message = target if isinstance(target, IntakeMessage) else None
    notify.assigned(actor, given, idea=idea, message=message)
    return given


# -- rules and teams, as admins set them --------------------------------------------------------

RULE_NAME_MAX = 120
WORDS_MAX = 50


def _clean_conditions(raw) -> dict:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise Invalid(
            _("Conditions: must be an object."), {"conditions": [_("Must be an object.")]}
        )
    unknown = set(raw) - set(CONDITION_KEYS)
    if unknown:
        message = (
            f"Unknown condition {', '.join(sorted(unknown))}; use {', '.join(CONDITION_KEYS)}."
        )
        raise Invalid(_("Conditions: %(message)s", message=message), {"conditions": [message]})
    clean = {}
    for key, value in raw.items():
        if value in (None, "", []):
            continue
        field = f"conditions.{key}"
        if key == "category":
            if (
                not isinstance(value, str)
                or db.session.scalar(select(Category.id).where(Category.slug == value)) is None
            ):
                raise Invalid(_("Category: there is no category '%(value)s'.", value=value),
                              {field: [_("No such category.")]})  # fmt: skip
        elif key == "kind":
            choice(value, field, IDEA_KINDS, "Kind")
        elif key == "author_kind":
            choice(value, field, KINDS, "Author kind")
        elif key == "source":
            choice(value, field, (PORTAL_SOURCE, *SOURCES), "Source")
        elif key == "organization":
            if not is_id(value) or db.session.get(Organization, value) is None:
                raise Invalid(_("Organization: there is no such organization."),
                              {field: [_("No such organization.")]})  # fmt: skip
        elif key == "words":
            if isinstance(value, str):
                value = [w for w in value.replace(",", "\n").splitlines()]
            if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
                raise Invalid(
                    _("Words: a list of words."), {field: [_("Must be a list of words.")]}
                )
            value = [clean_text(w, field, max_length=80, label=_("Word")) for w in value]
            value = [w for w in value if w][:WORDS_MAX]
            if not value:
                continue
        clean[key] = value
    return clean


def _rule_fields(data: dict, rule: RoutingRule | None) -> dict:
    fields = {}
    if rule is None or "name" in data:
        fields["name"] = clean_text(data.get("name"), "name", min_length=1,
                                    max_length=RULE_NAME_MAX)  # fmt: skip
    if rule is None or "team_id" in data:
        fields["team_id"] = _team(data.get("team_id")).id
    if "assignee_id" in data:
        value = data.get("assignee_id")
        fields["assignee_id"] = _assignee(value).id if value not in (None, "") else None
    if rule is None or "conditions" in data:
        fields["conditions"] = _clean_conditions(data.get("conditions"))
    return fields


def _position(value, count: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        message = _("Must be a whole number from 1.")
        raise Invalid(_("Position: %(message)s", message=message), {"position": [message]})
    return min(value, count)


def _renumber(rules: list[RoutingRule]) -> None:
    for number, rule in enumerate(rules, start=1):
        rule.position = number


def create_rule(actor, data: dict) -> RoutingRule:
    """A new rule, last unless `position` (1 = first) says where."""
    refuse(access.administer_refusal(actor))
    fields = _rule_fields(data, None)
    rules = ordered_rules()
    rule = RoutingRule(**fields)
    db.session.add(rule)
    where = (
        _position(data["position"], len(rules) + 1) if data.get("position") is not None else None
    )
    rules.insert((where or len(rules) + 1) - 1, rule)
    _renumber(rules)
    db.session.flush()
    audit.record(actor, "routing_rule.create", "routing_rule", rule.id, rule.name,
                 f"position {rule.position}; team {rule.team_id}")  # fmt: skip
    return rule


def update_rule(actor, rule: RoutingRule, data: dict) -> RoutingRule:
    refuse(access.administer_refusal(actor))
    for name, value in _rule_fields(data, rule).items():
        setattr(rule, name, value)
    if data.get("position") is not None:
        rules = [r for r in ordered_rules() if r.id != rule.id]
        rules.insert(_position(data["position"], len(rules) + 1) - 1, rule)
        _renumber(rules)
    db.session.flush()
    keys = ("name", "team_id", "assignee_id", "conditions", "position")
    changed = "changed " + ", ".join(key for key in keys if key in data)
    audit.record(actor, "routing_rule.update", "routing_rule", rule.id, rule.name, changed)
    return rule


def delete_rule(actor, rule: RoutingRule) -> None:
    refuse(access.administer_refusal(actor))
    audit.record(actor, "routing_rule.delete", "routing_rule", rule.id, rule.name)
    db.session.delete(rule)
    db.session.flush()
    _renumber([r for r in ordered_rules() if r.id != rule.id])


def get_rule(actor, rule_id) -> RoutingRule:
    refuse(access.administer_refusal(actor))
    rule = db.session.get(RoutingRule, rule_id)
    if rule is None:
        raise NotFound(_("No such routing rule."))
    return rule


def _check_promise(team: Team) -> None:
    """A target that business hours cannot keep within a year is refused (it would also make
    every deadline slow to count)."""
    if team.answer_target_hours is None:
        return
    hours = business_hours(team)
    open_per_week = sum(
        business_hours_between(datetime(2026, 1, 5) + timedelta(days=d),
                               datetime(2026, 1, 6) + timedelta(days=d), hours)
        for d in range(7)
    )  # fmt: skip
    if open_per_week * 52 < team.answer_target_hours:
        message = (
            f"{team.answer_target_hours:g} business hours is more than a year of these business "
            "hours: promise less, or open longer."
        )
        raise Invalid(
            _("Answer target: %(message)s", message=message), {"answer_target_hours": [message]}
        )


def configure_team(actor, team: Team, data: dict) -> Team:
    """A team's name, assignment mode, answer target and business hours (SPEC 13)."""
    refuse(access.administer_refusal(actor))
    before = team.name
    if "name" in data:
        name = clean_text(data["name"], "name", min_length=1, max_length=120)
        taken = db.session.scalar(
            select(Team.id).where(func.lower(Team.name) == name.lower(), Team.id != team.id)
        )
        if taken:
            raise Invalid(_("Name: another team has this name."), {"name": [_("Already taken.")]})
        team.name = name
    if "assignment" in data:
        team.assignment = choice(data["assignment"], "assignment", ASSIGNMENT_MODES)
    if "answer_target_hours" in data:
        hours = data["answer_target_hours"]
        if hours in (None, ""):
            team.answer_target_hours = None
        else:
            try:
                hours = float(hours)
            except (TypeError, ValueError):
                hours = -1.0
            if isinstance(data["answer_target_hours"], bool) or not 0 < hours <= 10_000:
                message = _("Must be a number of hours above 0 (at most 10,000), or null.")
                raise Invalid(
                    _("Answer target: %(message)s", message=message),
                    {"answer_target_hours": [message]},
                )
            team.answer_target_hours = hours
    if "business_hours" in data:
        raw = data["business_hours"]
        if raw is None:
            team.business_hours = None
        else:
            if not isinstance(raw, dict):
                raise Invalid(_("Business hours: must be an object."),
                              {"business_hours": [_("Must be an object.")]})  # fmt: skip
            try:  # what is left out keeps its current value
                hours = BusinessHours.from_dict({**business_hours(team).to_dict(), **raw})
            except BusinessHoursError as error:
                field = f"business_hours.{error.field}" if error.field else "business_hours"
                raise Invalid(
                    _("Business hours: %(error)s", error=error), {field: [str(error)]}
                ) from None
            team.business_hours = json.dumps(hours.to_dict())
    _check_promise(team)
    db.session.flush()
    settings = {"assignment", "answer_target_hours", "business_hours"} & set(data)
    if team.name != before:
        audit.record(actor, "team.rename", "team", team.id, team.name,
                     audit.changed("name", before, team.name))  # fmt: skip
    if settings:
        audit.record(actor, "team.configure", "team", team.id, team.name, _settings(team))
    return team


def assignment_options() -> dict:
    """Teams and the people work may be given to, for the pages' assign forms."""
    teams = db.session.scalars(select(Team).order_by(Team.name)).all()
    people = db.session.scalars(
        select(User).where(access.assignable_people())
        .order_by(User.display_name)
    ).all()  # fmt: skip
    return {"teams": [(t.id, t.name) for t in teams],
            "people": [(u.id, u.display_name, u.available) for u in people]}  # fmt: skip


def _settings(team: Team) -> str:
    hours = business_hours(team)
    target = f"{team.answer_target_hours:g} business hours" if team.answer_target_hours else "none"
    return (f"assignment {team.assignment}; answer target {target}; hours "
            f"{hours.start}-{hours.end} {hours.timezone}")  # fmt: skip
