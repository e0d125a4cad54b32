"""The export (SPEC 15): one JSON document of everything the portal holds about a person.

Never a secret (no password hash, no token, no token prefix) and never someone else's private
data: an idea, comment or item the person may no longer read is named by its number only.
`COVERAGE` says where each column that points at a person lands in the document; a test
walks the schema so that a table added later without a place here fails.
"""

from collections.abc import Callable

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from portal import access
from portal.accounts.models import ApiToken, User, UserIdentity
from portal.admin.models import AdminChange
from portal.extensions import db
from portal.ideas.models import (
    Comment,
    CommentRevision,
    Follow,
    Idea,
    IdeaMove,
    IdeaRevision,
    Mention,
    StatusChange,
    Vote,
)
from portal.intake.models import IntakeMessage, IntakeReply
from portal.moderation.models import Appeal, Flag, ModerationAction
from portal.notify.models import Notification
from portal.routing.models import RoutingRule
from portal.timeutil import isoformat, utcnow
from portal.tracking.models import ImprovementItem, ItemChange

FORMAT_VERSION = 1

# (table, column pointing at the person) -> (the document's section, the key its entries
# carry, the table's column that key holds). Sections with a dot are nested under `activity`.
COVERAGE = {
    ("user", "id"): ("profile", "id", "id"),
    ("team_member", "user_id"): ("profile.teams", "id", "team_id"),
    ("user_identity", "user_id"): ("profile.sign_in_providers", "id", "id"),
    ("api_token", "user_id"): ("tokens", "id", "id"),
    ("idea", "author_id"): ("ideas", "id", "id"),
    ("comment", "author_id"): ("comments", "id", "id"),
    ("vote", "user_id"): ("votes", "idea_id", "idea_id"),
    ("follow", "user_id"): ("follows", "idea_id", "idea_id"),
    ("mention", "user_id"): ("mentions", "comment_id", "comment_id"),
    ("flag", "by_id"): ("flags", "id", "id"),
    ("appeal", "by_id"): ("appeals", "id", "id"),
    ("notification", "user_id"): ("notifications", "id", "id"),
    ("intake_message", "user_id"): ("intake", "id", "id"),
    ("idea", "assignee_id"): ("activity.assigned_ideas", "id", "id"),
    ("intake_message", "assignee_id"): ("activity.assigned_intake", "id", "id"),
    ("intake_message", "handled_by_id"): ("activity.handled_intake", "id", "id"),
    ("intake_reply", "by_id"): ("activity.intake_replies", "id", "id"),
    ("idea_revision", "editor_id"): ("activity.idea_edits", "id", "id"),
    ("idea_move", "by_id"): ("activity.idea_moves", "id", "id"),
    ("status_change", "by_id"): ("activity.status_changes", "id", "id"),
    ("moderation_action", "by_id"): ("activity.moderation_actions", "id", "id"),
    ("admin_change", "by_id"): ("activity.admin_changes", "id", "id"),
    ("improvement_item", "owner_id"): ("activity.items_owned", "id", "id"),
    ("improvement_item", "created_by_id"): ("activity.items_created", "id", "id"),
    ("item_change", "by_id"): ("activity.item_changes", "id", "id"),
    ("routing_rule", "assignee_id"): ("activity.routing_rules", "id", "id"),
}


def _by_id(model, ids) -> dict:
    """Rows of `model` by id, in one query (none for no ids)."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))}


class _Exporter:
    """Builds the sections; remembers which ideas and comments the person may still read."""

    def __init__(self, user: User):
        self.user = user
        self._readable: dict[int, bool] = {}
        # Every idea loaded, held: a person with thousands of rows costs a query per section,
        # not one per row (access.can_read of a comment gets its idea from the session).
        self._ideas: dict[int, Idea] = {}

    def ideas_by_id(self, ids) -> dict[int, Idea]:
        ids = {i for i in ids if i is not None}
        self._ideas |= _by_id(Idea, ids - self._ideas.keys())
        return {i: self._ideas[i] for i in ids if i in self._ideas}

    def comments_by_id(self, ids) -> dict[int, Comment]:
        comments = _by_id(Comment, ids)
        self.ideas_by_id(c.idea_id for c in comments.values())
        return comments

    def readable(self, idea: Idea | None) -> bool:
        if idea is None:
            return False
        if idea.id not in self._readable:
            self._readable[idea.id] = access.can_read(self.user, idea)
        return self._readable[idea.id]

    def idea_ref(self, idea_id: int | None, ideas: dict[int, Idea]) -> dict:
        """An idea as others' content: its number, and its title only while still readable."""
        idea = ideas.get(idea_id)
        ref = {"idea_id": idea_id}
        if self.readable(idea):
            ref["idea_title"] = idea.title
        return ref

    def rows(self, model, *conditions, order=None, options=()):
        order = order if order is not None else model.id
        query = select(model).where(*conditions).order_by(order).options(*options)
        return list(db.session.scalars(query))

    # -- sections ------------------------------------------------------------------------

    def profile(self) -> dict:
        user = self.user
        identities = self.rows(UserIdentity, UserIdentity.user_id == user.id)
        return {
            "id": user.id, "email": user.email, "handle": user.handle,
            "display_name": user.display_name, "kind": user.kind, "role": user.role,
            "organization": user.organization.name if user.organization else None,
            "approved": user.approved, "email_preference": user.email_preference,
            "email_verified_at": isoformat(user.email_verified_at),
            "suspended_until": isoformat(user.suspended_until),
            "available": user.available, "last_assigned_at": isoformat(user.last_assigned_at),
            "last_digest_at": isoformat(user.last_digest_at),
            "created_at": isoformat(user.created_at), "has_password": user.has_password,
            "teams": [{"id": team.id, "name": team.name} for team in user.teams],
            "sign_in_providers": [
                {"id": i.id, "provider": i.provider, "issuer": i.issuer, "subject": i.subject,
                 "created_at": isoformat(i.created_at), "last_used_at": isoformat(i.last_used_at)}
                for i in identities
            ],
        }  # fmt: skip

    def ideas(self) -> list[dict]:
        own = self.rows(Idea, Idea.author_id == self.user.id)
        revisions: dict[int, list[IdeaRevision]] = {}
        if own:
            ids = [idea.id for idea in own]
            for revision in self.rows(IdeaRevision, IdeaRevision.idea_id.in_(ids)):
                revisions.setdefault(revision.idea_id, []).append(revision)
        return [
            {
                "id": idea.id, "title": idea.title, "body": idea.body, "kind": idea.kind,
                "status": idea.status, "category": idea.category.slug,
                "audience": idea.audience, "confidential": idea.confidential,
                "on_behalf_of": idea.on_behalf_of, "hidden": idea.hidden,
                "removed_reason": idea.removed_reason, "merged_into_id": idea.merged_into_id,
                "votes": idea.votes_count, "comments": idea.comments_count,
                "created_at": isoformat(idea.created_at), "edited_at": isoformat(idea.edited_at),
                "deleted_at": isoformat(idea.deleted_at),
                # Earlier versions: the person's own words (and any moderator's edit of them).
                "revisions": [{"title": r.title, "body": r.body,
                               "created_at": isoformat(r.created_at)}
                              for r in revisions.get(idea.id, [])],
            }
            for idea in own
        ]  # fmt: skip

    def comments(self) -> list[dict]:
        own = self.rows(Comment, Comment.author_id == self.user.id)
        ideas = self.ideas_by_id(c.idea_id for c in own)
        revisions: dict[int, list[CommentRevision]] = {}
        if own:
            ids = [c.id for c in own]
            for revision in self.rows(CommentRevision, CommentRevision.comment_id.in_(ids)):
                revisions.setdefault(revision.comment_id, []).append(revision)
        return [
            {
                "id": c.id, **self.idea_ref(c.idea_id, ideas), "parent_id": c.parent_id,
                "body": c.body, "official": c.official, "hidden": c.hidden,
                "removed_reason": c.removed_reason, "created_at": isoformat(c.created_at),
                "edited_at": isoformat(c.edited_at), "deleted_at": isoformat(c.deleted_at),
                "revisions": [{"body": r.body, "created_at": isoformat(r.created_at)}
                              for r in revisions.get(c.id, [])],
            }
            for c in own
        ]  # fmt: skip

    def idea_links(self, model, order) -> list[dict]:
        """Votes and follows: which idea, and since when."""
        rows = self.rows(model, model.user_id == self.user.id, order=order)
        ideas = self.ideas_by_id(r.idea_id for r in rows)
        return [{**self.idea_ref(r.idea_id, ideas), "created_at": isoformat(r.created_at)}
                for r in rows]  # fmt: skip

    def mentions(self) -> list[dict]:
        rows = self.rows(Mention, Mention.user_id == self.user.id)
        comments = self.comments_by_id(m.comment_id for m in rows)
        ideas = self.ideas_by_id(c.idea_id for c in comments.values())
        entries = []
        for mention in rows:
            comment = comments.get(mention.comment_id)
            entry = {"comment_id": mention.comment_id}
            if comment is not None and access.can_read(self.user, comment):
                entry |= self.idea_ref(comment.idea_id, ideas)
            entries.append(entry)
        return entries

    def _target_refs(self, rows) -> Callable[[str, int], dict]:
        """What flags or appeals are about (loaded together): named only while the person
        may read it."""

        def ids(kind):
            return [row.target_id for row in rows if row.target_type == kind]

        ideas = self.ideas_by_id(ids("idea"))
        comments = self.comments_by_id(ids("comment"))
        users = _by_id(User, ids("user"))

        def ref(target_type: str, target_id: int) -> dict:
            found = {"target_type": target_type, "target_id": target_id}
            if target_type == "idea":
                idea = ideas.get(target_id)
                if self.readable(idea):
                    found["target_title"] = idea.title
            elif target_type == "comment":
                comment = comments.get(target_id)
                if comment is not None and access.can_read(self.user, comment):
                    found["target_text"] = comment.body
            elif target_type == "user":
                other = users.get(target_id)
                if other is not None and not other.is_erased:
                    found["target_name"] = other.display_name
            return found

        return ref

    def flags(self) -> list[dict]:
        rows = self.rows(Flag, Flag.by_id == self.user.id)
        target = self._target_refs(rows)
        return [
            {"id": f.id, **target(f.target_type, f.target_id), "reason": f.reason,
             "note": f.note, "duplicate_of_id": f.duplicate_of_id,
             "created_at": isoformat(f.created_at), "resolved_at": isoformat(f.resolved_at)}
            for f in rows
        ]  # fmt: skip

    def appeals(self) -> list[dict]:
        rows = self.rows(Appeal, Appeal.by_id == self.user.id)
        target = self._target_refs(rows)
        return [
            {"id": a.id, **target(a.target_type, a.target_id), "text": a.text,
             "created_at": isoformat(a.created_at), "resolved_at": isoformat(a.resolved_at)}
            for a in rows
        ]  # fmt: skip

    def notifications(self) -> list[dict]:
        user = self.user
        shown = set(
            db.session.scalars(
                select(Notification.id).where(
                    Notification.user_id == user.id, access.notification_visibility(user)
                )
            )
        )
        entries = []
        for note in self.rows(Notification, Notification.user_id == user.id):
            entry = {"id": note.id, "event": note.event, "created_at": isoformat(note.created_at),
                     "read_at": isoformat(note.read_at), "idea_id": note.idea_id,
                     "item_id": note.item_id, "comment_id": note.comment_id}  # fmt: skip
            # Its words quote an idea or comment: only while the person may still read them.
            if note.id in shown:
                entry |= {"title": note.title, "message": note.message}
            entries.append(entry)
        return entries

    def tokens(self) -> list[dict]:
        return [
            {"id": t.id, "name": t.name, "created_at": isoformat(t.created_at),
             "revoked_at": isoformat(t.revoked_at)}
            for t in self.rows(ApiToken, ApiToken.user_id == self.user.id)
        ]  # fmt: skip

    def intake(self) -> list[dict]:
        """Messages sent from the person's address (by their account, or before it existed):
        what they wrote and the answers they were sent; not the staff's handling of them.
        While the address is not confirmed, whoever wrote from it may be someone else: the
        messages linked to the account are named by number only."""
        user = self.user
        if not access.owns_address(user):
            return [
                {"id": m.id} for m in self.rows(IntakeMessage, IntakeMessage.user_id == user.id)
            ]
        messages = self.rows(
            IntakeMessage,
            or_(IntakeMessage.user_id == user.id, IntakeMessage.sender_email == user.email),
            options=[selectinload(IntakeMessage.replies)],
        )
        ideas = self.ideas_by_id(m.idea_id for m in messages)
        return [
            {
                "id": m.id, "source": m.source, "sender_email": m.sender_email,
                "sender_name": m.sender_name, "subject": m.subject, "body": m.body,
                "attachments": m.attachment_names, "received_at": isoformat(m.received_at),
                "status": m.status,
                **({"idea": self.idea_ref(m.idea_id, ideas)} if m.idea_id else {}),
                "answers": [{"body": r.body, "created_at": isoformat(r.created_at)}
                            for r in m.replies],
            }
            for m in messages
        ]  # fmt: skip

    def activity(self) -> dict:
        """What the person did as staff, moderator or admin (and work given to them). What
        only staff may read (intake answers, routing rules, an item over ideas they may not
        see) is named by number only once they are staff no more."""
        uid = self.user.id
        ideas_assigned = self.rows(Idea, Idea.assignee_id == uid)
        staff_reads = access.can_see_intake(self.user)
        item_ids = select(ImprovementItem.id).where(
            or_(ImprovementItem.owner_id == uid, ImprovementItem.created_by_id == uid),
            access.item_visibility(self.user),
        )
        visible_items = set(db.session.scalars(item_ids))

        def if_readable(readable, get):
            return lambda row: get(row) if readable(row) else None

        def ids_with(model, column, **fields):
            return [
                {"id": row.id, **{name: get(row) for name, get in fields.items()}}
                for row in self.rows(model, column == uid)
            ]

        def idea_rows(model, column, **fields):
            rows = self.rows(model, column == uid)
            ideas = self.ideas_by_id(row.idea_id for row in rows)
            return [
                {"id": row.id, **self.idea_ref(row.idea_id, ideas),
                 **{name: get(row) for name, get in fields.items()}}
                for row in rows
            ]  # fmt: skip

        def when(row):
            return isoformat(row.created_at)

        return {
            "assigned_ideas": [
                {"id": i.id, **({"title": i.title} if self.readable(i) else {})}
                for i in ideas_assigned
            ],
            "assigned_intake": ids_with(IntakeMessage, IntakeMessage.assignee_id,
                                        status=lambda m: m.status),
            "handled_intake": ids_with(IntakeMessage, IntakeMessage.handled_by_id,
                                       status=lambda m: m.status,
                                       handled_at=lambda m: isoformat(m.handled_at)),
            "intake_replies": ids_with(IntakeReply, IntakeReply.by_id,
                                       message_id=lambda r: r.message_id,
                                       body=if_readable(lambda r: staff_reads,
                                                        lambda r: r.body),
                                       created_at=when),
            "idea_edits": idea_rows(IdeaRevision, IdeaRevision.editor_id, created_at=when),
            "idea_moves": idea_rows(IdeaMove, IdeaMove.by_id, created_at=when),
            "status_changes": idea_rows(StatusChange, StatusChange.by_id,
                                        from_status=lambda s: s.from_status,
                                        to_status=lambda s: s.to_status, created_at=when),
            "moderation_actions": ids_with(ModerationAction, ModerationAction.by_id,
                                           action=lambda a: a.action,
                                           target_type=lambda a: a.target_type,
                                           target_id=lambda a: a.target_id,
                                           reason=lambda a: a.reason, created_at=when),
            "admin_changes": ids_with(AdminChange, AdminChange.by_id,
                                      action=lambda a: a.action,
                                      target_type=lambda a: a.target_type,
                                      target_id=lambda a: a.target_id, created_at=when),
            "items_owned": ids_with(ImprovementItem, ImprovementItem.owner_id,
                                    title=if_readable(lambda i: i.id in visible_items,
                                                      lambda i: i.title)),
            "items_created": ids_with(ImprovementItem, ImprovementItem.created_by_id,
                                      title=if_readable(lambda i: i.id in visible_items,
                                                        lambda i: i.title)),
            "item_changes": ids_with(ItemChange, ItemChange.by_id, item_id=lambda c: c.item_id,
                                     to_status=lambda c: c.to_status, created_at=when),
            "routing_rules": ids_with(RoutingRule, RoutingRule.assignee_id,
                                      name=if_readable(lambda r: staff_reads,
                                                       lambda r: r.name)),
        }  # fmt: skip


def export(user: User) -> dict:
    """Everything the portal holds about `user`, as one JSON-ready document."""
    exporter = _Exporter(user)
    return {
        "format": "portal-export",
        "version": FORMAT_VERSION,
        "exported_at": isoformat(utcnow()),
        "profile": exporter.profile(),
        "ideas": exporter.ideas(),
        "comments": exporter.comments(),
        "votes": exporter.idea_links(Vote, Vote.id),
        "follows": exporter.idea_links(Follow, Follow.idea_id),
        "mentions": exporter.mentions(),
        "flags": exporter.flags(),
        "appeals": exporter.appeals(),
        "notifications": exporter.notifications(),
        "tokens": exporter.tokens(),
        "intake": exporter.intake(),
        "activity": exporter.activity(),
    }


def filename(user: User) -> str:
    return f"portal-export-{user.handle}-{utcnow():%Y%m%d}.json"
