"""A person's page (/people/<handle>) and "My portal" (/my)."""

from flask import Blueprint, jsonify, render_template, request
from flask_login import current_user

from portal.guards import guard
from portal.ideas import people, service
from portal.pagination import parse_page_args
from portal.responses import render_page_or_fragment

bp = Blueprint("people", __name__)


@bp.route("/people/<handle>")
def person(handle: str):
    who = people.person_named(current_user, handle)
    page, per_page = parse_page_args(request.args.get("page"), request.args.get("per_page"))
    result = people.ideas_of(current_user, who, page, per_page)
    return render_template(
        "people/person.html",
        person=who,
        result=result,
        voted=service.voted_ids(current_user, result.items),
    )


@bp.route("/my")
@guard()
def my_portal():
    which = request.args.get("list") or "ideas"
    page, per_page = parse_page_args(request.args.get("page"), request.args.get("per_page"))
    result = people.my_list(current_user, which, page, per_page)
    return render_page_or_fragment(
        "people/my.html",
        "people/_my_list.html",
        which=which,
        result=result,
        counts=people.my_counts(current_user),
        voted=service.voted_ids(current_user, result.items),
        following=service.following_ids(current_user, result.items),
    )


@bp.route("/ideas/<int:idea_id>/mentionable")
@guard()
def mentionable(idea_id: int):
    """Suggestions for the @mention being typed in this idea's discussion (JSON)."""
    idea = service.get_idea(current_user, idea_id)
    people_found = people.mentionable(current_user, idea, request.args.get("q", ""))
    response = jsonify(
        [{"handle": p.handle, "name": p.display_name, "kind": p.kind} for p in people_found]
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
