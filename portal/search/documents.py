"""Search documents: what the index stores of ideas and comments (items join later).

A document carries the fields visibility depends on (audience, confidential, organization,
hidden), so the index filters inside the query and totals, facets and pages stay right.
Adding a document type means one builder here and one branch in `documents_for`.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.ideas.models import Comment, Idea

DOC_TYPES = ("idea", "comment")


@dataclass
class Document:
    key: str
    type: str
    id: int
    idea_id: int
    title: str
    body: str
    category: str
    status: str
    kind: str
    audience: str
    confidential: bool
    organization: str
    hidden: bool
    votes: int
    created: datetime

    def fields(self) -> dict:
        return dict(self.__dict__)


def key(doc_type: str, doc_id: int) -> str:
    return f"{doc_type}:{doc_id}"


def _organization(idea: Idea) -> str:
    return str(idea.organization_id) if idea.organization_id else ""


def idea_document(idea: Idea) -> Document | None:
    """The document of an idea, or None when it must not be in the index (merged)."""
    if idea.merged_into_id is not None:
        return None
    return Document(
        key=key("idea", idea.id),
        type="idea",
        id=idea.id,
        idea_id=idea.id,
        title=idea.title,
        body=idea.body,
        category=idea.category.slug,
        status=idea.status,
        kind=idea.kind,
        audience=idea.audience,
        confidential=idea.confidential,
        organization=_organization(idea),
        hidden=idea.hidden,
        votes=idea.votes_count,
        created=idea.created_at,
    )


def comment_document(comment: Comment, idea: Idea) -> Document | None:
    """A comment inherits its idea's visibility; deleted comments leave the index.

    A merged duplicate's comments stay readable under the original, so they are found there.
    """
    if comment.is_deleted:
        return None
    return Document(
        key=key("comment", comment.id),
        type="comment",
        id=comment.id,
        idea_id=idea.merged_into_id or idea.id,
        title="",  # a comment is found by its own words, not its idea's title
        body=comment.body,
        category=idea.category.slug,
        status=idea.status,
        kind=idea.kind,
        audience=idea.audience,
        confidential=idea.confidential,
        organization=_organization(idea),
        hidden=idea.hidden or comment.hidden,
        # Comments have no votes of their own. Not the idea's count: every vote would then
        # have to reindex the whole thread (or leave its comments out of date).
        votes=0,
        created=comment.created_at,
    )


def documents_for(tasks: list[tuple[str, int]]) -> tuple[list[Document], set[str]]:
    """Documents to write and keys to remove for a batch of queued (type, id) tasks."""
    idea_ids = {i for t, i in tasks if t in ("idea", "thread")}
    comment_ids = {i for t, i in tasks if t == "comment"}
    thread_ids = {i for t, i in tasks if t == "thread"}
    ideas = {
        idea.id: idea
        for idea in db.session.scalars(
            select(Idea).where(Idea.id.in_(idea_ids | _idea_ids_of(comment_ids)))
        )
    }
    comments = list(
        db.session.scalars(
            select(Comment)
            .options(joinedload(Comment.author))
            .where(Comment.id.in_(comment_ids) | Comment.idea_id.in_(thread_ids))
        )
    ) if (comment_ids or thread_ids) else []  # fmt: skip
    write: list[Document] = []
    remove: set[str] = set()
    for doc_id in {i for t, i in tasks if t == "idea"}:
        idea = ideas.get(doc_id)
        document = idea_document(idea) if idea else None
        if document:
            write.append(document)
        else:
            remove.add(key("idea", doc_id))
    found_comments = set()
    for comment in comments:
        found_comments.add(comment.id)
        idea = ideas.get(comment.idea_id) or db.session.get(Idea, comment.idea_id)
        document = comment_document(comment, idea)
        if document:
            write.append(document)
        else:
            remove.add(key("comment", comment.id))
    for doc_id in comment_ids - found_comments:
        remove.add(key("comment", doc_id))
    return write, remove


def _idea_ids_of(comment_ids: set[int]) -> set[int]:
    if not comment_ids:
        return set()
    return set(db.session.scalars(select(Comment.idea_id).where(Comment.id.in_(comment_ids))))


def all_documents(batch_size: int = 1000):
    """Every document the index should hold, in batches (for rebuild and verify)."""
    last = 0
    while True:
        ideas = list(
            db.session.scalars(
                select(Idea).where(Idea.id > last).order_by(Idea.id).limit(batch_size)
            )
        )
        if not ideas:
            break
        for idea in ideas:
            document = idea_document(idea)
            if document:
                yield document
        last = ideas[-1].id
        db.session.expunge_all()
    last = 0
    while True:
        rows = db.session.execute(
            select(Comment, Idea)
            .join(Idea, Idea.id == Comment.idea_id)
            .where(Comment.id > last)
            .order_by(Comment.id)
            .limit(batch_size)
        ).all()
        if not rows:
            break
        for comment, idea in rows:
            document = comment_document(comment, idea)
            if document:
                yield document
        last = rows[-1][0].id
        db.session.expunge_all()


def count_expected() -> int:
    from sqlalchemy import func

    ideas = db.session.scalar(select(func.count(Idea.id)).where(Idea.merged_into_id.is_(None)))
    comments = db.session.scalar(select(func.count(Comment.id)).where(Comment.deleted_at.is_(None)))
    return (ideas or 0) + (comments or 0)
