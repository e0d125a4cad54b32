"""The admin log: each change to how the portal is run, recorded in the change's transaction.

Moderation has its own public log (portal.moderation); this one is for admins: accounts
(kind, role, organization, teams, supplier approval), teams, categories, organizations,
webhooks and routing rules.
"""

import logging

from sqlalchemy import func, select

from portal.admin.models import TARGET_TYPES, AdminChange
from portal.extensions import db
from portal.pagination import Page
from portal.validation import choice

log = logging.getLogger(__name__)

ACTION_LABELS = {
    "user.update": "Changed an account",
    "user.approve": "Approved a supplier",
    "user.reject": "Rejected a supplier",
    "team.create": "Created a team",
    "team.rename": "Renamed a team",
    "team.configure": "Changed a team's routing settings",
    "team.add_member": "Added a team member",
    "team.remove_member": "Removed a team member",
    "category.create": "Created a category",
    "category.update": "Changed a category",
    "category.archive": "Archived a category",
    "category.unarchive": "Unarchived a category",
    "category.move_ideas": "Moved a category's ideas",
    "organization.create": "Created an organization",
    "organization.rename": "Renamed an organization",
    "webhook.create": "Registered a webhook",
    "webhook.activate": "Activated a webhook",
    "webhook.deactivate": "Deactivated a webhook",
    "webhook.delete": "Deleted a webhook",
    "routing_rule.create": "Added a routing rule",
    "routing_rule.update": "Changed a routing rule",
    "routing_rule.delete": "Deleted a routing rule",
}


def record(actor, action: str, target_type: str, target_id: int | None, label: str,
           details: str = "") -> AdminChange:  # fmt: skip
    """Write one entry (and a log line) in the current transaction; `actor` None is the CLI."""
    entry = AdminChange(
        by_id=actor.id if actor is not None else None, action=action, target_type=target_type,
        target_id=target_id, target_label=(label or "")[:200], details=details or "",
    )  # fmt: skip
    db.session.add(entry)
    log.info("admin %s: %s %s %s (%s) %s", actor.id if actor is not None else "cli", action,
             target_type, target_id, label, details)  # fmt: skip
    return entry


def changed(label: str, before, after) -> str | None:
    """'label: before → after', or None when nothing changed."""
    if before == after:
        return None
    return f"{label}: {before if before not in (None, '') else '—'} → {after or '—'}"


def joined(parts) -> str:
    return "; ".join(part for part in parts if part)


def entries(page: int, per_page: int, target_type=None, target_id=None) -> Page:
    """Newest first; only one kind of target (and one target) when asked."""
    conditions = []
    if target_type:
        conditions.append(AdminChange.target_type == choice(target_type, "target", TARGET_TYPES))
        if target_id is not None:
            conditions.append(AdminChange.target_id == target_id)
    total = db.session.scalar(select(func.count(AdminChange.id)).where(*conditions)) or 0
    rows = db.session.scalars(
        select(AdminChange)
        .where(*conditions)
        .order_by(AdminChange.created_at.desc(), AdminChange.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(list(rows), page, per_page, total)
