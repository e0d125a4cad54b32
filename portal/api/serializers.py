"""Objects as the API shows them (SPEC section 8)."""

from flask import url_for

from portal.timeutil import isoformat


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


def idea(idea, viewer_has_voted: bool) -> dict:
    return {
        "id": idea.id,
        "title": idea.title,
        "body": idea.body,
        "body_html": idea.body_html,
        "kind": idea.kind,
        "status": idea.status,
        "status_note": idea.status_note,
        "category": category(idea.category),
        "author": user_brief(idea.author),
        "votes": idea.votes_count,
        "comments": idea.comments_count,
        "confidential": idea.confidential,
        "item_id": getattr(idea, "item_id", None),
        "merged_into": idea.merged_into_id,
        "locked": idea.locked,
        "viewer_has_voted": viewer_has_voted,
        "created_at": isoformat(idea.created_at),
        "updated_at": isoformat(idea.updated_at),
        "url": url_for("ideas.detail", idea_id=idea.id, _external=True),
    }


def comment(comment) -> dict:
    return {
        "id": comment.id,
        "idea_id": comment.idea_id,
        "parent_id": comment.parent_id,
        "body": comment.body,
        "body_html": comment.body_html,
        "author": user_brief(comment.author),
        "official": comment.official,
        "deleted": comment.is_deleted,
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
