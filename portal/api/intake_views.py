"""API v1 for intake, routing rules, teams and responsiveness (SPEC 12, 13)."""

from flask import jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select

from portal import access
from portal.accounts.models import Team
from portal.api import serializers as out
from portal.api.views import _page_args, bp, json_body, viewer
from portal.errors import Invalid, NotFound
from portal.extensions import db
from portal.guards import guard
from portal.intake import service as intake
from portal.routing import responsiveness
from portal.routing import service as routing
from portal.validation import is_id


def _whole_number(value, name: str) -> int | None:
    if value in (None, ""):
        return None
    if not str(value).isdigit() or not is_id(int(value)):
        message = _("Must be a whole number from 1 to 2147483647.")
        raise Invalid(_("%(label)s: %(message)s", label=name, message=message), {name: [message]})
    return int(value)


@bp.post("/intake")
@guard(access.intake_refusal)
def create_intake():
    data = json_body()
    received = intake.receive(
        source="api",
        sender_email=data.get("sender_email"),
        sender_name=data.get("sender_name"),
        subject=data.get("subject"),
        body=data.get("body"),
        category=data.get("category"),
        external_ref=data.get("external_ref"),
        sender_verified=data.get("sender_verified", False),
    )
    return jsonify(out.intake_message(received.message, viewer())), (
        201 if received.created else 200
    )


@bp.get("/intake")
@guard(access.intake_refusal)
def list_intake():
    page, per_page = _page_args()
    args = request.args
    assignee = args.get("assignee")
    if assignee not in (None, "", "me"):
        raise Invalid(_("Assignee: only 'me' is understood."), {"assignee": [_("Use 'me'.")]})
    result = intake.list_messages(
        viewer(),
        status=args.get("status") or "open",
        team_id=_whole_number(args.get("team"), "team"),
        assignee_me=assignee == "me",
        page=page,
        per_page=per_page,
    )
    return jsonify(out.page(result, [out.intake_message(m, viewer()) for m in result.items]))


@bp.get("/intake/<int:message_id>")
@guard(access.intake_refusal)
def get_intake(message_id: int):
    return jsonify(out.intake_message(intake.get_message(viewer(), message_id), viewer()))


@bp.post("/intake/<int:message_id>/actions")
@guard(access.intake_refusal)
def intake_action(message_id: int):
    user = viewer()
    message = intake.get_message(user, message_id)
    data = json_body()
    intake.act(user, message, data.get("action"), data)
    return jsonify(out.intake_message(message, user))


# -- routing rules and teams (admins) ---------------------------------------------------------


@bp.get("/routing-rules")
@guard(access.administer_refusal)
def list_routing_rules():
    rules = [out.routing_rule(r) for r in routing.ordered_rules()]
    return jsonify({"items": rules, "page": 1, "per_page": len(rules), "total": len(rules)})


@bp.post("/routing-rules")
@guard(access.administer_refusal)
def create_routing_rule():
    rule = routing.create_rule(viewer(), json_body())
    return jsonify(out.routing_rule(rule)), 201


@bp.patch("/routing-rules/<int:rule_id>")
@guard(access.administer_refusal)
def patch_routing_rule(rule_id: int):
    rule = routing.get_rule(viewer(), rule_id)
    routing.update_rule(viewer(), rule, json_body())
    return jsonify(out.routing_rule(rule))


@bp.delete("/routing-rules/<int:rule_id>")
@guard(access.administer_refusal)
def delete_routing_rule(rule_id: int):
    routing.delete_rule(viewer(), routing.get_rule(viewer(), rule_id))
    return "", 204


@bp.get("/teams")
@guard(access.staff_area_refusal)
def list_teams():
    teams = db.session.scalars(select(Team).order_by(Team.name)).all()
    items = [out.team(t, routing.business_hours(t)) for t in teams]
    return jsonify({"items": items, "page": 1, "per_page": len(items), "total": len(items)})


@bp.patch("/teams/<int:team_id>")
@guard(access.administer_refusal)
def patch_team(team_id: int):
    team = db.session.get(Team, team_id)
    if team is None:
        raise NotFound(_("No such team."))
    routing.configure_team(viewer(), team, json_body())
    return jsonify(out.team(team, routing.business_hours(team)))


# -- responsiveness (public) ------------------------------------------------------------------


@bp.get("/responsiveness")
def get_responsiveness():
    rows = [out.responsiveness(r) for r in responsiveness.figures(viewer())]
    return jsonify({"items": rows, "page": 1, "per_page": len(rows), "total": len(rows)})
