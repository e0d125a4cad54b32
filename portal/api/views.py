"""API v1 routes: thin wrappers over the same services the pages use."""

from flask import Blueprint, g, jsonify, request
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from portal import access
from portal.accounts.service import user_for_token
from portal.api import serializers as out
from portal.api.openapi import openapi_document
from portal.errors import BadRequest, Invalid, NotFound, refuse
from portal.guards import guard
from portal.ideas import discussion, service
from portal.ideas.models import Comment
from portal.moderation import queue as moderation_queue_service
from portal.moderation import service as moderation
from portal.notify import service as notify
from portal.notify.views import mark_read, notifications_page
from portal.pagination import page_of, parse_page_args
from portal.privacy import erasure
from portal.privacy import export as data_export
from portal.ratelimits import new_account_limit
from portal.responses import api_error
from portal.routing import service as routing
from portal.search import service as search_service
from portal.search.querying import FILTER_FIELDS
from portal.tracking import service as tracking
from portal.tracking.models import ImprovementItem

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def authenticate():
    """Bearer token or anonymous; session cookies are never looked at."""
    g.api_user = AnonymousUserMixin()
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _space, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return api_error(401, _("Malformed Authorization header: use 'Bearer <token>'."))
    user = user_for_token(secret.strip())
    if user is None:
        return api_error(401, _("Unknown or revoked token."))
    g.api_user = user
    return None


def viewer():
    return g.api_user


def json_body() -> dict:
    """The request's JSON object, or a 400 with a clear message."""
    try:
        data = request.get_json(silent=True, force=True)
    except RecursionError:  # e.g. [[[[…]]]] nested deeper than the JSON parser goes
        raise BadRequest(_("The request body is not valid JSON (nested too deeply).")) from None
    if data is None:
        raise BadRequest(_("The request body is not valid JSON."))
    if not isinstance(data, dict):
        raise BadRequest(_("The request body must be a JSON object."))
    return data


def _page_args():
    return parse_page_args(request.args.get("page"), request.args.get("per_page"))


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.get("/me")
@guard()
def me():
    return jsonify(out.me(viewer()))


@bp.get("/me/export")
@guard()
def export_me():
    """Everything the portal holds about the token's owner (SPEC 15)."""
    response = jsonify(data_export.export(viewer()))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.delete("/me")
@guard()
def erase_me():
    """Erase the token's owner (SPEC 15): `{password}`, or `{email}` without a password."""
    data = json_body()
    erasure.erase_own_account(viewer(), password=data.get("password"), email=data.get("email"))
    return "", 204


@bp.get("/categories")
def categories():
    items = [out.category(c) for c in service.postable_categories(viewer())]
    return jsonify({"items": items, "page": 1, "per_page": len(items), "total": len(items)})


@bp.get("/ideas")
def list_ideas():
    page, per_page = _page_args()
    args = request.args
    result = service.list_ideas(
        viewer(),
        with_routing=True,
        sort=args.get("sort") or "trending",
        category=args.get("category") or None,
        status=args.get("status") or None,
        kind=args.get("kind") or None,
        page=page,
        per_page=per_page,
        exact_total=True,  # the API's `total` is documented as the number of ideas
    )
    voted = service.voted_ids(viewer(), result.items)
    items = tracking.visible_item_ids(viewer(), [i.item_id for i in result.items])
    ideas = [out.idea(i, i.id in voted, viewer(), items) for i in result.items]
    return jsonify(out.page(result, ideas))


@bp.post("/ideas")
@guard()
@new_account_limit("ideas")
def create_idea():
    user = viewer()
    data = json_body()
    idea = service.post_idea(
        user,
        title=data.get("title"),
        body=data.get("body", ""),
        category=data.get("category"),
        kind=data.get("kind", "idea"),
        confidential=data.get("confidential", False),
    )
    return jsonify(out.idea(idea, True, user)), 201


@bp.get("/search")
def search():
    page, per_page = _page_args()
    args = request.args
    result = search_service.search(
        viewer(),
        args.get("q", ""),
        filters={name: args.get(name) for name in FILTER_FIELDS if args.get(name)},
        order=args.get("order") or "relevance",
        page=page,
        per_page=per_page,
    )
    if result.beyond_bound:
        raise Invalid(result.beyond_message, {"page": [result.beyond_message]})
    return jsonify(
        {
            "items": [out.search_item(item) for item in result.items],
            "page": page,
            "per_page": per_page,
            "total": result.total,
            "total_exact": result.total_exact,
            "facets": result.facets,
            "facets_exact": result.facets_within is None,
        }
    )


@bp.get("/ideas/<int:idea_id>")
def get_idea(idea_id: int):
    idea = service.get_idea(viewer(), idea_id)
    return jsonify(out.idea(idea, service.has_voted(viewer(), idea), viewer()))


@bp.patch("/ideas/<int:idea_id>")
@guard()
def patch_idea(idea_id: int):
    user = viewer()
    idea = service.get_idea(user, idea_id)
    data = json_body()
    known = {"title", "body", "status", "note", "duplicate_of", "team_id", "assignee_id",
             "category", "kind"}  # fmt: skip
    if not known & data.keys():
        message = _(
            "Nothing to change: send title and/or body (author), status and note, or team_id "
            "and assignee_id (staff)."
        )
        raise Invalid(message, {"body": [message]})
    for name in ("title", "body"):
        if name in data and data[name] is None:
            label = {"title": _("Title"), "body": _("Body")}[name]
            raise Invalid(_("%(label)s: must be text.", label=label), {name: [_("Must be text.")]})
    if "title" in data or "body" in data:
        if access.moderates(user, idea):
            moderation.act(user, "edit", "idea", idea.id, data.get("reason"),
                           title=data.get("title"), body=data.get("body"))  # fmt: skip
        else:
            service.edit_idea(user, idea, title=data.get("title"), body=data.get("body"))
    if {"status", "note", "duplicate_of"} & data.keys():
        if "status" not in data:
            raise Invalid(_("Status: required with a note."),
                          {"status": [_("Required with a note.")]})  # fmt: skip
        service.change_status(
            user, idea, data["status"], data.get("note"), data.get("duplicate_of")
        )
    if {"category", "kind"} & data.keys():
        service.move(user, idea, category=data.get("category"), kind=data.get("kind"))
    if {"team_id", "assignee_id"} & data.keys():
        routing.reassign_idea(user, idea, team_id=data.get("team_id"),
                              assignee_id=data.get("assignee_id", routing.UNSET))  # fmt: skip
    return jsonify(out.idea(idea, service.has_voted(user, idea), user))


def _vote(idea_id: int, supported: bool):
    user = viewer()
    idea = service.get_idea(user, idea_id, without_people=True)
    now_supported = service.set_vote(user, idea, supported)
    return jsonify({"votes": idea.votes_count, "viewer_has_voted": now_supported})


@bp.post("/ideas/<int:idea_id>/vote")
@guard()
@new_account_limit("votes")
def vote(idea_id: int):
    return _vote(idea_id, True)


@bp.delete("/ideas/<int:idea_id>/vote")
@guard()
@new_account_limit("votes")
def unvote(idea_id: int):
    return _vote(idea_id, False)


@bp.get("/ideas/<int:idea_id>/comments")
def list_comments(idea_id: int):
    idea = service.get_idea(viewer(), idea_id)
    if not access.can_read(viewer(), idea):  # a hidden idea's discussion is hidden with it
        raise NotFound(_("No such idea."))
    query = select(Comment).where(Comment.idea_id == idea.id)
    result = page_of(query.order_by(Comment.created_at, Comment.id), *_page_args())
    return jsonify(out.page(result, [out.comment(c, viewer()) for c in result.items]))


@bp.post("/ideas/<int:idea_id>/comments")
@guard()
@new_account_limit("comments")
def create_comment(idea_id: int):
    user = viewer()
    idea = service.get_idea(user, idea_id, without_people=True)
    data = json_body()
    comment = discussion.add_comment(
        user, idea, data.get("body"), parent_id=data.get("parent_id"), official=False
    )
    return jsonify(out.comment(comment, user)), 201


@bp.patch("/ideas/<int:idea_id>/comments/<int:comment_id>")
@guard()
def patch_comment(idea_id: int, comment_id: int):
    user = viewer()
    idea = service.get_idea(user, idea_id)
    comment = discussion.get_comment(user, idea, comment_id)
    data = json_body()
    if not {"official", "body"} & data.keys():
        message = _("Nothing to change: send body (author) or official (staff).")
        raise Invalid(message, {"body": [message]})
    if "body" in data:
        if access.moderates(user, comment):
            moderation.act(user, "edit", "comment", comment.id, data.get("reason"),
                           body=data["body"])  # fmt: skip
        else:
            discussion.edit_comment(user, comment, data["body"])
    if "official" in data:
        discussion.set_official(user, comment, data["official"])
    return jsonify(out.comment(comment, user))


@bp.delete("/ideas/<int:idea_id>/comments/<int:comment_id>")
@guard()
def delete_comment(idea_id: int, comment_id: int):
    """The author's delete; a moderator's (of someone else's comment) is the moderation
    action `delete`, with its reason (`?reason=` or a JSON body {reason})."""
    user = viewer()
    idea = service.get_idea(user, idea_id)
    comment = discussion.get_comment(user, idea, comment_id)
    refuse(access.delete_refusal(user, comment))
    if access.moderates(user, comment):
        reason = request.args.get("reason")
        if reason is None and request.get_data():
            reason = json_body().get("reason")
        moderation.act(user, "delete", "comment", comment.id, reason)
    else:
        discussion.delete_comment(user, comment)
    return jsonify(out.comment(comment, user))


@bp.post("/flags")
@guard()
@new_account_limit("flags")
def create_flag():
    user = viewer()
    data = json_body()
    flag = moderation.flag(
        user,
        data.get("target_type"),
        data.get("target_id"),
        data.get("reason"),
        data.get("note"),
        data.get("duplicate_of"),
    )
    return jsonify(out.flag(flag)), 201


@bp.get("/moderation/queue")
@guard(access.moderation_refusal)
def moderation_queue():
    user = viewer()
    page, per_page = _page_args()
    result = moderation_queue_service.review_queue(user, page, per_page)
    return jsonify(out.page(result, [out.queue_group(group) for group in result.items]))


@bp.post("/moderation/actions")
@guard(access.moderation_refusal)
def moderation_action():
    user = viewer()
    data = json_body()
    entry = moderation.act(
        user,
        data.get("action"),
        data.get("target_type"),
        data.get("target_id"),
        data.get("reason"),
        data.get("into_id"),
        data.get("until"),
        title=data.get("title"),
        body=data.get("body"),
    )
    return jsonify(out.moderation_action(entry))


def _item_json(item):
    return out.item(item, [i.id for i in tracking.linked_ideas(item)], tracking.history(item))


@bp.post("/ideas/<int:idea_id>/promote")
@guard()
def promote(idea_id: int):
    user = viewer()
    data = json_body()
    extra = data.get("idea_ids") or []
    if not isinstance(extra, list) or not all(
        isinstance(i, int | str) and not isinstance(i, bool) for i in extra
    ):
        raise Invalid(_("Idea ids: a list of ids."), {"idea_ids": [_("Must be a list of ids.")]})
    item = tracking.promote(
        user, [idea_id, *extra], title=data.get("title"), description=data.get("description"),
        team=data.get("team"), owner_id=data.get("owner_id"),
        priority=data.get("priority") or "p3", target_date=data.get("target_date"),
    )  # fmt: skip
    return jsonify(_item_json(item)), 201


@bp.get("/items")
def list_items():
    page, per_page = _page_args()
    query = tracking.visible_items(
        viewer(), status=request.args.get("status") or None,
        category=request.args.get("category") or None,
    )  # fmt: skip
    newest_first = query.order_by(ImprovementItem.updated_at.desc(), ImprovementItem.id.desc())
    result = page_of(newest_first, page, per_page)
    return jsonify(out.page(result, [_item_json(i) for i in result.items]))


@bp.get("/items/<int:item_id>")
def get_item(item_id: int):
    return jsonify(_item_json(tracking.get_item(viewer(), item_id)))


@bp.patch("/items/<int:item_id>")
@guard()
def patch_item(item_id: int):
    user = viewer()
    item = tracking.get_item(user, item_id)
    data = json_body()
    known = {"status", "note", "owner_id", "priority", "target_date", "idea_ids", "title",
             "description", "team"}  # fmt: skip
    if not known & data.keys():
        message = _("Nothing to change.")
        raise Invalid(message, {"status": [message]})
    tracking.update_item(
        user, item, status=data.get("status"), note=data.get("note"),
        owner_id=data.get("owner_id", ...),
        priority=data.get("priority"),
        target_date=data.get("target_date", ...),
        idea_ids=data.get("idea_ids"), title=data.get("title"),
        description=data.get("description"), team=data.get("team", ...),
    )  # fmt: skip
    return jsonify(_item_json(item))


@bp.get("/notifications")
@guard()
def notifications():
    user = viewer()
    page, per_page = _page_args()
    result = notifications_page(user, page, per_page)
    body = out.page(result, [out.notification(n) for n in result.items])
    body["unread"] = notify.unread_count(user)
    return jsonify(body)


@bp.post("/notifications/read")
@guard()
def read_notifications():
    user = viewer()
    data = json_body() if request.get_data() else {}
    # `ids` left out means all; given, it must be a list of integers (null is not "left out").
    ids = data.get("ids")
    if "ids" in data and (
        not isinstance(ids, list)
        or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids)
    ):
        message = _("Ids: a list of notification ids (leave ids out to mark all read).")
        raise Invalid(message, {"ids": [_("Must be a list of whole numbers, not null.")]})
    unread = mark_read(user, ids)
    return jsonify({"unread": unread})


# The intake, routing and responsiveness routes, staff notes and the upload of files live
# beside, on this same blueprint.
from portal.api import files_views, intake_views, note_views  # noqa: E402, F401
