"""The admin log: each change to how the portal is run, recorded in the change's transaction.

Moderation has its own public log (portal.moderation); this one is for admins: accounts
(kind, role, organization, teams, supplier approval), teams, categories, organizations,
webhooks and routing rules.
"""

import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.admin.models import TARGET_TYPES, AdminChange
from portal.extensions import db
from portal.pagination import Page
from portal.validation import choice

log = logging.getLogger(__name__)

# Lazy: each reads in the reader's language on the admin pages.
ACTION_LABELS = {
    "user.update": _l("Changed an account"),
    "user.approve": _l("Approved a supplier"),
    "user.reject": _l("Rejected a supplier"),
    "user.erase": _l("Erased an account"),
    "team.create": _l("Created a team"),
    "team.rename": _l("Renamed a team"),
    "team.configure": _l("Changed a team's routing settings"),
    "team.add_member": _l("Added a team member"),
    "team.remove_member": _l("Removed a team member"),
    "category.create": _l("Created a category"),
    "category.update": _l("Changed a category"),
    "category.archive": _l("Archived a category"),
    "category.unarchive": _l("Unarchived a category"),
    "category.move_ideas": _l("Moved a category's ideas"),
    "organization.create": _l("Created an organization"),
    "organization.rename": _l("Renamed an organization"),
    "webhook.create": _l("Registered a webhook"),
    "webhook.activate": _l("Activated a webhook"),
    "webhook.deactivate": _l("Deactivated a webhook"),
    "webhook.delete": _l("Deleted a webhook"),
    "routing_rule.create": _l("Added a routing rule"),
    "routing_rule.update": _l("Changed a routing rule"),
    "routing_rule.delete": _l("Deleted a routing rule"),
}
# What the admin log can be narrowed to ("Show changes to: teams"), one per TARGET_TYPES.
TARGET_LABELS = {
    "user": _l("accounts"),
    "team": _l("teams"),
    "category": _l("categories"),
    "organization": _l("organizations"),
    "webhook": _l("webhooks"),
    "routing_rule": _l("routing rules"),
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
