"""The export (SPEC 15): one JSON document of everything the portal holds about a person.

Never a secret (no password hash, no token, no token prefix) and never someone else's private
data: an idea, comment or item the person may no longer read is named by its number only.
`COVERAGE` says where each column that points at a person lands in the document; a test
walks the schema so that a table added later without a place here fails.
"""

from sqlalchemy import or_, select

from portal import access
from portal.accounts.models import ApiToken, User, UserIdentity
from portal.admin.models import AdminChange
from portal.extensions import db
from portal.files.models import StoredFile
from portal.files.service import url_of
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
    ("stored_file", "uploader_id"): ("files", "id", "id"),
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


def _ideas_by_id(ids) -> dict[int, Idea]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {idea.id: idea for idea in db.session.scalars(select(Idea).where(Idea.id.in_(ids)))}


class _Exporter:
    """Builds the sections; remembers which ideas and comments the person may still read."""

    def __init__(self, user: User):
        self.user = user
        self._readable: dict[int, bool] = {}

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

    def rows(self, model, *conditions, order=None):
        order = order if order is not None else model.id
        return list(db.session.scalars(select(model).where(*conditions).order_by(order)))

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
                {"id": i.id, "provider": i.provider, "subject": i.subject,
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
        ideas = _ideas_by_id(c.idea_id for c in own)
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
        ideas = _ideas_by_id(r.idea_id for r in rows)
        return [{**self.idea_ref(r.idea_id, ideas), "created_at": isoformat(r.created_at)}
                for r in rows]  # fmt: skip

    def mentions(self) -> list[dict]:
        rows = self.rows(Mention, Mention.user_id == self.user.id)
        comments = {
            c.id: c
            for c in db.session.scalars(
                select(Comment).where(Comment.id.in_([m.comment_id for m in rows] or [0]))
            )
        }
        ideas = _ideas_by_id(c.idea_id for c in comments.values())
        entries = []
        for mention in rows:
            comment = comments.get(mention.comment_id)
            entry = {"comment_id": mention.comment_id}
            if comment is not None and access.can_read(self.user, comment):
                entry |= self.idea_ref(comment.idea_id, ideas)
            entries.append(entry)
        return entries

    def _target_ref(self, target_type: str, target_id: int) -> dict:
        """What a flag or an appeal is about: named only while the person may read it."""
        ref = {"target_type": target_type, "target_id": target_id}
        if target_type == "idea":
            idea = db.session.get(Idea, target_id)
            if self.readable(idea):
                ref["target_title"] = idea.title
        elif target_type == "comment":
            comment = db.session.get(Comment, target_id)
            if comment is not None and access.can_read(self.user, comment):
                ref["target_text"] = comment.body
        elif target_type == "user":
            other = db.session.get(User, target_id)
            if other is not None and not other.is_erased:
                ref["target_name"] = other.display_name
        return ref

    def flags(self) -> list[dict]:
        return [
            {"id": f.id, **self._target_ref(f.target_type, f.target_id), "reason": f.reason,
             "note": f.note, "duplicate_of_id": f.duplicate_of_id,
             "created_at": isoformat(f.created_at), "resolved_at": isoformat(f.resolved_at)}
            for f in self.rows(Flag, Flag.by_id == self.user.id)
        ]  # fmt: skip

    def appeals(self) -> list[dict]:
        return [
            {"id": a.id, **self._target_ref(a.target_type, a.target_id), "text": a.text,
             "created_at": isoformat(a.created_at), "resolved_at": isoformat(a.resolved_at)}
            for a in self.rows(Appeal, Appeal.by_id == self.user.id)
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

    def files(self) -> list[dict]:
        """Pictures and files they uploaded: what, and which post holds it (by number); the
        bytes are at each `url` for as long as they may read that post."""
        return [
            {"id": f.id, "name": f.name, "content_type": f.content_type, "size": f.size,
             "sha256": f.sha256, "url": url_of(f), "idea_id": f.idea_id,
             "comment_id": f.comment_id, "created_at": isoformat(f.created_at)}
            for f in self.rows(StoredFile, StoredFile.uploader_id == self.user.id)
        ]  # fmt: skip

    def tokens(self) -> list[dict]:
        return [
            {"id": t.id, "name": t.name, "created_at": isoformat(t.created_at),
             "revoked_at": isoformat(t.revoked_at)}
            for t in self.rows(ApiToken, ApiToken.user_id == self.user.id)
        ]  # fmt: skip

    def intake(self) -> list[dict]:
        """Messages sent from the person's address (by their account, or before it existed):
        what they wrote and the answers they were sent; not the staff's handling of them."""
        user = self.user
        messages = self.rows(
            IntakeMessage,
            or_(IntakeMessage.user_id == user.id, IntakeMessage.sender_email == user.email),
        )
        ideas = _ideas_by_id(m.idea_id for m in messages)
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
        """What the person did as staff, moderator or admin (and work given to them)."""
        uid = self.user.id
        ideas_assigned = self.rows(Idea, Idea.assignee_id == uid)

        def ids_with(model, column, **fields):
            return [
                {"id": row.id, **{name: get(row) for name, get in fields.items()}}
                for row in self.rows(model, column == uid)
            ]

        def idea_rows(model, column, **fields):
            rows = self.rows(model, column == uid)
            ideas = _ideas_by_id(row.idea_id for row in rows)
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
                                       body=lambda r: r.body, created_at=when),
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
                                    title=lambda i: i.title),
            "items_created": ids_with(ImprovementItem, ImprovementItem.created_by_id,
                                      title=lambda i: i.title),
            "item_changes": ids_with(ItemChange, ItemChange.by_id, item_id=lambda c: c.item_id,
                                     to_status=lambda c: c.to_status, created_at=when),
            "routing_rules": ids_with(RoutingRule, RoutingRule.assignee_id,
                                      name=lambda r: r.name),
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
        "files": exporter.files(),
        "intake": exporter.intake(),
        "activity": exporter.activity(),
    }


def filename(user: User) -> str:
    return f"portal-export-{user.handle}-{utcnow():%Y%m%d}.json"
