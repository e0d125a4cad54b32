"""Objects as the API shows them (SPEC section 8)."""

from flask import url_for

from portal import access
from portal.notify.service import note_target
from portal.timeutil import isoformat
from portal.tracking.service import visible_item_ids


def user_brief(user) -> dict:
    return {"id": user.id, "display_name": user.display_name, "kind": user.kind}


def me(user) -> dict:
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "handle": user.handle,
        "kind": user.kind,
        "role": user.role,
        "organization": user.organization.name if user.organization else None,
        "approved": user.approved,
    }


def category(category) -> dict:
    return {"slug": category.slug, "name": category.name, "audience": category.audience}


HIDDEN_TITLE = "Hidden by the moderators"


def idea(idea, viewer_has_voted: bool, viewer=None, visible_items: set | None = None) -> dict:
    """An idea as the API shows it to `viewer`.

    `visible_items`: the ids of the items `viewer` may see among a page's ideas (one query
    for a list); looked up here when not given. An item the viewer may not see (it holds a
    confidential idea of another organization) is not even named.
    """
    # Hidden content shows others only its tombstone: that it was hidden, and why.
    redact = not access.can_read(viewer, idea)
    if idea.item_id and visible_items is None:
        visible_items = visible_item_ids(viewer, [idea.item_id])
    return {
        "id": idea.id,
        "title": HIDDEN_TITLE if redact else idea.title,
        "body": "" if redact else idea.body,
        "body_html": "" if redact else idea.body_html,
        "kind": idea.kind,
        "status": idea.status,
        "status_note": None if redact else idea.status_note,
        "category": category(idea.category),
        "author": None if redact else user_brief(idea.author),
        "votes": idea.votes_count,
        "comments": idea.comments_count,
        "confidential": idea.confidential,
        "item_id": idea.item_id if idea.item_id in (visible_items or ()) else None,
        "merged_into": idea.merged_into_id,
        "locked": idea.locked,
        "hidden": idea.hidden,
        "hidden_reason": idea.hidden_reason,
        "removed": idea.deleted_at is not None,
        "edited_at": isoformat(idea.edited_at),
        "viewer_has_voted": viewer_has_voted,
        "created_at": isoformat(idea.created_at),
        "updated_at": isoformat(idea.updated_at),
        "url": url_for("ideas.detail", idea_id=idea.id, _external=True),
        "evidence": idea.evidence_count,
        "on_behalf_of": None if redact else idea.on_behalf_of,
        **work(idea, viewer, redact),
    }


def team_brief(team) -> dict | None:
    return {"id": team.id, "name": team.name} if team is not None else None


def work(target, viewer, redact: bool = False) -> dict:
    """Routing of an idea or intake message: its team for everyone who may read it (not
    for a tombstone); the assignee and the answer deadlines for staff only (SPEC 8)."""
    shown = {"team": None if redact else team_brief(target.team)}
    if access.can_see_assignment(viewer):
        assignee = target.assignee
        answered = getattr(target, "first_staff_answer_at", None)
        if answered is None and hasattr(target, "first_answered_at"):
            answered = target.first_answered_at
        shown |= {
            "assignee": (
                {"id": assignee.id, "display_name": assignee.display_name} if assignee else None
            ),
            "first_answer_due_at": isoformat(target.first_answer_due_at),
            "first_answered_at": isoformat(answered),
        }
    return shown


def intake_message(message, viewer) -> dict:
    return {
        "id": message.id,
        "source": message.source,
        "sender": {
            "email": message.sender_email,
            "name": message.sender_name,
            "user_id": message.user_id,
            "verified": message.sender_verified,
            "organization": message.organization.name if message.organization else None,
        },
        "subject": message.subject,
        "body": message.body,
        "attachments": message.attachment_names,
        "received_at": isoformat(message.received_at),
        "status": message.status,
        "idea_id": message.idea_id,
        "external_ref": message.external_ref,
        "dismissed_reason": message.dismissed_reason,
        "replies": [
            {
                "body": r.body,
                "by": user_brief(r.by) if r.by else None,
                "at": isoformat(r.created_at),
            }
            for r in message.replies
        ],  # fmt: skip
        **work(message, viewer),
        "url": url_for("intake.message", message_id=message.id, _external=True),
    }


def routing_rule(rule) -> dict:
    return {
        "id": rule.id,
        "position": rule.position,
        "name": rule.name,
        "conditions": rule.conditions,
        "team_id": rule.team_id,
        "assignee_id": rule.assignee_id,
    }


def team(team, hours) -> dict:
    return {
        "id": team.id,
        "name": team.name,
        "assignment": team.assignment,
        "answer_target_hours": team.answer_target_hours,
        "business_hours": hours.to_dict(),
        "members": [user_brief(m) for m in team.members],
    }


def responsiveness(row) -> dict:
    return {
        "team": team_brief(row.team),
        "target_hours": row.target_hours,
        "answered": row.answered,
        "median_hours_to_first_answer": row.median_hours_to_first_answer,
        "within_target_pct": row.within_target_pct,
        "waiting": row.waiting,
        "oldest_waiting_hours": row.oldest_waiting_hours,
    }


def comment(comment, viewer=None) -> dict:
    # A hidden or deleted comment shows those who may not read it its tombstone only.
    redact = (comment.hidden or comment.is_deleted) and not access.can_read(viewer, comment)
    return {
        "id": comment.id,
        "idea_id": comment.idea_id,
        "parent_id": comment.parent_id,
        "body": "" if redact else comment.body,
        "body_html": "" if redact else comment.body_html,
        "author": None if redact else user_brief(comment.author),
        "official": comment.official,
        "deleted": comment.is_deleted,
        "hidden": comment.hidden,
        "hidden_reason": comment.hidden_reason,
        "removed_reason": comment.removed_reason,
        "created_at": isoformat(comment.created_at),
        "edited_at": isoformat(comment.edited_at),
    }


def page(result, items: list) -> dict:
    return {
        "items": items,
        "page": result.page,
        "per_page": result.per_page,
        "total": result.total,
    }


def search_item(item) -> dict:
    return {
        "type": item.type,
        "id": item.id,
        "idea_id": item.idea.id,
        "title": item.title,
        "snippet": item.snippet,
        "url": url_for("ideas.detail", idea_id=item.idea.id, _external=True)
        + (f"#comment-{item.id}" if item.type == "comment" else ""),
        "score": round(item.score, 4),
    }


def flag(flag) -> dict:
    return {
        "id": flag.id,
        "target_type": flag.target_type,
        "target_id": flag.target_id,
        "reason": flag.reason,
        "note": flag.note,
        "duplicate_of": flag.duplicate_of_id,
        "by": user_brief(flag.by),
        "at": isoformat(flag.created_at),
    }


def _target(group) -> dict | None:
    target = group.target
    if target is None:
        return None
    if group.target_type == "idea":
        return {"id": target.id, "title": target.title, "body": target.body,
                "status": target.status, "hidden": target.hidden, "locked": target.locked,
                "author": user_brief(target.author),
                "url": url_for("ideas.detail", idea_id=target.id, _external=True)}  # fmt: skip
    if group.target_type == "comment":
        return {"id": target.id, "idea_id": target.idea_id, "body": target.body,
                "hidden": target.hidden, "author": user_brief(target.author)}  # fmt: skip
    return {**user_brief(target), "suspended_until": isoformat(target.suspended_until)}


def queue_group(group) -> dict:
    return {
        "target_type": group.target_type,
        "target_id": group.target_id,
        "target": _target(group),
        "flags": [
            {
                "reason": f.reason,
                "note": f.note,
                "by": user_brief(f.by),
                "at": isoformat(f.created_at),
                "duplicate_of": f.duplicate_of_id,
            }  # fmt: skip
            for f in group.flags
        ],
        "appeal": {
            "text": group.appeal.text,
            "by": user_brief(group.appeal.by),
            "at": isoformat(group.appeal.created_at),
        }
        if group.appeal
        else None,  # fmt: skip
    }


def moderation_action(entry) -> dict:
    return {
        "id": entry.id,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "reason": entry.reason,
        "by": user_brief(entry.by) if entry.by else None,
        "into_id": entry.into_id,
        "until": isoformat(entry.until),
        "at": isoformat(entry.created_at),
    }


def item(item, idea_ids: list[int], history: list) -> dict:
    return {
        "id": item.id,
        "title": item.title,
        "description": item.description,
        "description_html": item.description_html,
        "status": item.status,
        "priority": item.priority,
        "team": item.team.name if item.team else None,
        "owner": user_brief(item.owner) if item.owner else None,
        "idea_ids": idea_ids,
        "target_date": item.target_date.isoformat() if item.target_date else None,
        "history": [
            {
                "from": change.from_status,
                "to": change.to_status,
                "by": user_brief(change.by),
                "note": change.note,
                "at": isoformat(change.created_at),
            }  # fmt: skip
            for change in history
        ],
        "created_at": isoformat(item.created_at),
        "shipped_at": isoformat(item.shipped_at),
        "url": url_for("tracking.item", item_id=item.id, _external=True),
    }


def notification(note) -> dict:
    endpoint, values, anchor = note_target(note)  # the comment itself when it is about one
    url = url_for(endpoint, _external=True, **values) + anchor
    return {
        "id": note.id,
        "event": note.event,
        "idea_id": note.idea_id,
        "item_id": note.item_id,
        "intake_message_id": note.intake_message_id,
        "title": note.title,
        "message": note.message,
        "url": url,
        "read": note.read_at is not None,
        "created_at": isoformat(note.created_at),
    }
