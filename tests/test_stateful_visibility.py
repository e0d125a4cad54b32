"""One visibility rule on every surface, under random sequences of operations (SPEC 2, 4, 6-9).

A Hypothesis state machine drives random operations by random actors through the services
(posting in each audience, confidential or not, some with a picture; comments, replies,
mentions, official answers; votes, follows, flags up to the automatic hold; hide, restore,
dismiss, lock, merge, the moderators' edit and delete; status changes; promoting, moving and
shipping items; approving the pending supplier and suspending people; the authors' own edits
and deletions; staff notes, for staff and admins who may read the idea only). After each step
it reads, as each kind of viewer (anonymous, customer, pending supplier, approved suppliers of
two organizations, staff, a customer moderator, a staff moderator, an admin): the pages and API
objects of the ideas the step touched (404 where the idea must not exist for them), their
history, API comments and notes, and the pictures of their posts; the notification centre and
API; the e-mails, digests and webhooks queued since the step before; a third of the lists in
turn (home, idea lists with filters, roadmap, changelog, items, the moderation log, the review
queue and staff exports); the Atom feeds (the list, the changelog, each touched idea's), judged
by what an anonymous visitor may read whoever asks; and search (API, page, similar ideas) for
what changed.
At the end of each example it reads all of them, and searches for every marker.

Canaries make the check surface-agnostic: every title, body, comment, status note, item
and edit written here carries a unique marker word (`cnry` and eight consonants, which
Markdown, HTML escaping and the search analyser all leave whole). The machine keeps a small
model of the content each marker belongs to and of that content's state, and an oracle
written from the SPEC (plain Python below, independent of `portal.access`) says which
viewer may read which marker. Any marker found in a response that its viewer may not read
is a leak, reported with the viewer, the surface and what the marker belongs to; so is a
link to an idea that does not exist for the viewer, and a refused operation that left
anything behind (its marker, or any change at all). No service moves an idea to another
category, so no rule does.

The short variant runs in the normal suite; `make fuzz` (PORTAL_FUZZ=long) runs the long
one. PORTAL_STATEFUL_EXAMPLES and PORTAL_STATEFUL_STEPS override either. While a class of
leak is being fixed, PORTAL_STATEFUL_SKIP=<category>,... lets the machine look past it for
the next one (the categories are the names of the failures it raises); never in CI.
"""

import html
import io
import json
import os
import random
import re
from dataclasses import dataclass, field
from datetime import timedelta
from inspect import signature

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.control import current_build_context
from hypothesis.errors import InvalidArgument
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from PIL import Image
from sqlalchemy import func, select, update

from portal.accounts import service as accounts
from portal.accounts.models import User
from portal.admin.service import create_category, create_webhook
from portal.errors import Conflict, Forbidden, Invalid, NotFound
from portal.extensions import db
from portal.files import service as files
from portal.files.models import StoredFile
from portal.ideas import discussion, notes
from portal.ideas import service as ideas
from portal.ideas.models import (
    IDEA_KINDS,
    Comment,
    CommentRevision,
    Follow,
    Idea,
    IdeaRevision,
    StaffNote,
    StatusChange,
    Vote,
)
from portal.moderation import service as moderation
from portal.moderation.models import ACTIONS, Appeal, Flag, ModerationAction
from portal.notify.models import WEBHOOK_EVENTS, Notification, OutboxMessage
from portal.search.setup import rebuild
from portal.timeutil import utcnow
from portal.tracking import service as tracking
from portal.tracking.models import ImprovementItem, ItemChange
from tests.conftest import PASSWORD, _empty_tables, make_test_app

LONG = os.environ.get("PORTAL_FUZZ") == "long"
EXAMPLES = int(os.environ.get("PORTAL_STATEFUL_EXAMPLES") or (40 if LONG else 8))
STEPS = int(os.environ.get("PORTAL_STATEFUL_STEPS") or (25 if LONG else 12))
SKIP = {c for c in os.environ.get("PORTAL_STATEFUL_SKIP", "").split(",") if c}
REFUSALS = (Conflict, Forbidden, Invalid, NotFound)
FLAGS_TO_HIDE = 2  # reached in short runs too (SPEC 4: a setting, default 3)

AUDIENCES = ("public", "customers", "suppliers")
SLUGS = {"public": "open-forum", "customers": "customer-lounge", "suppliers": "supplier-hub"}
ORG_A, ORG_B = "Acme Metals", "Borealis Plastics"

# Consonants only, and none that a stemmer strips (s, y, l): the word stays whole.
MARKER_LETTERS = "bcdfghjkmnpqrtvwxz"
MARKER = re.compile(r"(?<![a-z])cnry[a-z]{8}(?![a-z])")
IDEA_LINK = re.compile(r'href="(?:https?://[^"/]+)?/ideas/(\d+)(?:[/#?][^"]*)?"')
_rng = random.SystemRandom()
# A picture to attach to posts.
_picture = io.BytesIO()
Image.new("RGB", (4, 4), (200, 30, 30)).save(_picture, "PNG")
PICTURE = _picture.getvalue()


def is_feed(path: str) -> bool:
    """An Atom feed (SPEC 16): read as an anonymous visitor, whoever asks."""
    return path.partition("?")[0].endswith(".atom")


def final_run() -> bool:
    """Whether Hypothesis is running the (shrunk) failing example one last time to report it."""
    try:
        return current_build_context().is_final
    except InvalidArgument:  # not inside a Hypothesis test
        return True


def new_marker_word(taken: set) -> str:
    while True:
        word = "cnry" + "".join(_rng.choice(MARKER_LETTERS) for _ in range(8))
        if word not in taken:
            taken.add(word)
            return word


# -- the model and the oracle (SPEC section 2 and 4, written without portal.access) ------------


@dataclass
class Person:
    key: str
    id: int | None = None  # None: the anonymous visitor
    kind: str | None = None
    role: str = "member"
    org: str | None = None
    approved: bool = True
    email: str | None = None
    handle: str | None = None
    pages: bool = True  # read through pages and the API (otherwise: API notifications, e-mail)


@dataclass
class IdeaModel:
    id: int
    author: str
    audience: str
    confidential: bool
    org: str | None
    hidden: bool = False
    auto_held: bool = False  # hidden by enough flags (a dismiss restores it)
    locked: bool = False
    merged_into: int | None = None
    item: int | None = None
    deleted: bool = False  # by a moderator
    title_marker: str = ""
    flaggers: set = field(default_factory=set)


@dataclass
class CommentModel:
    id: int
    idea: int
    author: str
    hidden: bool = False
    auto_held: bool = False
    deleted: str | None = None  # "author" or "moderator"
    flaggers: set = field(default_factory=set)


@dataclass
class FileModel:
    """A picture attached to an idea or a comment when it was posted (SPEC 16)."""

    id: int
    url: str
    owner: str  # "idea" or "comment"
    owner_id: int
    edited_out: bool = False  # a moderator's edit left it out: deleted (files.delete_dropped)


@dataclass
class ItemModel:
    id: int
    status: str = "planned"


@dataclass
class MarkerModel:
    word: str
    owner: str  # "idea", "comment" or "item"
    owner_id: int
    what: str


def signed_in(p: Person) -> bool:
    return p.kind is not None


def is_admin(p: Person) -> bool:
    return signed_in(p) and p.role == "admin"


def is_mod(p: Person) -> bool:
    """Role moderator or admin: sees hidden content, within what their kind sees."""
    return signed_in(p) and p.role in ("moderator", "admin")


def is_staff(p: Person) -> bool:
    return p.kind == "staff"


def approved_supplier(p: Person) -> bool:
    return p.kind == "supplier" and p.approved


def audiences_of(p: Person) -> set:
    if not signed_in(p):
        return {"public"}
    if is_admin(p) or is_staff(p):
        return set(AUDIENCES)
    if approved_supplier(p):
        return {"public", "suppliers"}
    return {"public", "customers"}  # customers, pending suppliers; the moderator role adds none


def idea_exists(p: Person, idea: IdeaModel) -> bool:
    """Whether the idea exists for this viewer at all (else 404 everywhere)."""
    if is_admin(p):
        return True
    if idea.audience not in audiences_of(p):
        return False
    if idea.confidential:
        return is_staff(p) or (approved_supplier(p) and p.org == idea.org)
    return True


def sees_hidden(p: Person, author: str) -> bool:
    return is_mod(p) or (signed_in(p) and p.key == author)


def idea_readable(p: Person, idea: IdeaModel) -> bool:
    return (
        idea_exists(p, idea)
        and not idea.deleted
        and (not idea.hidden or sees_hidden(p, idea.author))
    )


class Model:
    def __init__(self):
        self.people: dict[str, Person] = {}
        self.ideas: dict[int, IdeaModel] = {}
        self.comments: dict[int, CommentModel] = {}
        self.items: dict[int, ItemModel] = {}
        self.files: dict[int, FileModel] = {}
        self.markers: dict[str, MarkerModel] = {}
        self.refused_markers: set[str] = set()
        self.suspended: set[str] = set()
        self.note_authors: dict[str, str] = {}  # a staff note's marker -> who wrote it

    def by_id(self, user_id) -> Person | None:
        return next((p for p in self.people.values() if p.id == user_id), None)

    def item_ideas(self, item_id) -> list[IdeaModel]:
        return [i for i in self.ideas.values() if i.item == item_id]

    def item_visible(self, p: Person, item_id) -> bool:
        return all(idea_exists(p, i) for i in self.item_ideas(item_id))

    def comment_readable(self, p: Person, comment: CommentModel) -> bool:
        idea = self.ideas[comment.idea]
        if comment.deleted == "author":
            return False
        # A moderator's removal leaves the text (as an earlier version) to moderators only.
        if comment.deleted == "moderator":
            return is_mod(p) and idea_exists(p, idea)
        # A moderator-deleted idea keeps its discussion; a hidden one takes it along.
        idea_ok = idea_exists(p, idea) and (not idea.hidden or sees_hidden(p, idea.author))
        return idea_ok and (not comment.hidden or sees_hidden(p, comment.author))

    def file_readable(self, p: Person, file: FileModel) -> bool:
        """A file is read exactly as what holds it; a deleted or removed holder's files are
        gone for everyone, as is a file a moderator's edit left out."""
        if file.edited_out:
            return False
        if file.owner == "idea":
            idea = self.ideas[file.owner_id]
            return not idea.deleted and idea_readable(p, idea)
        comment = self.comments[file.owner_id]
        if comment.deleted:
            return False
        idea = self.ideas[comment.idea]
        if idea.deleted:  # its discussion stays, for moderators only
            return is_mod(p) and idea_exists(p, idea)
        return self.comment_readable(p, comment)

    def readable(self, p: Person, marker: MarkerModel) -> bool:
        if marker.owner == "idea":
            idea = self.ideas[marker.owner_id]
            # A staff note: staff and admins, while they may read the idea (issue 15).
            if marker.what == "staff note" and not (is_staff(p) or is_admin(p)):
                return False
            if idea.deleted:
                return is_mod(p) and idea_exists(p, idea)
            return idea_readable(p, idea)
        if marker.owner == "comment":
            return self.comment_readable(p, self.comments[marker.owner_id])
        return self.item_visible(p, marker.owner_id)

    def why_not(self, p: Person, marker: MarkerModel) -> str:
        """The reason the oracle gives for `p` not reading `marker` (a failure category)."""
        if marker.owner == "item":
            return "item-with-unseen-idea"
        if marker.what == "staff note" and not (is_staff(p) or is_admin(p)):
            return "staff-note"
        idea_id = marker.owner_id
        comment = None
        if marker.owner == "comment":
            comment = self.comments[marker.owner_id]
            idea_id = comment.idea
        idea = self.ideas[idea_id]
        if not idea_exists(p, idea):
            if idea.audience not in audiences_of(p):
                return f"{idea.audience}-audience"
            return "confidential"
        prefix = "comment-" if comment else ""
        if comment and comment.deleted:
            return f"comment-deleted-by-{comment.deleted}"
        if idea.deleted and not comment:
            return "deleted-idea"
        if idea.hidden and not sees_hidden(p, idea.author):
            return f"{prefix}on-hidden-idea" if comment else "hidden-idea"
        return "hidden-comment"

    def describe(self, marker: MarkerModel) -> str:
        if marker.owner == "item":
            ideas_ = ", ".join(self.describe_idea(i.id) for i in self.item_ideas(marker.owner_id))
            return f"{marker.what} of item #{marker.owner_id} (linked: {ideas_})"
        if marker.owner == "comment":
            c = self.comments[marker.owner_id]
            state = ", ".join(
                s for s in ("hidden" if c.hidden else "", f"deleted by {c.deleted}" if c.deleted
                            else "") if s
            )  # fmt: skip
            return (
                f"{marker.what} of comment #{c.id} by {c.author}"
                f"{' (' + state + ')' if state else ''}"
                f" on {self.describe_idea(c.idea)}"
            )
        return f"{marker.what} of {self.describe_idea(marker.owner_id)}"

    def describe_idea(self, idea_id) -> str:
        i = self.ideas[idea_id]
        flags = [i.audience, "confidential " + (i.org or "") if i.confidential else ""]
        flags += ["hidden" if i.hidden else "", "locked" if i.locked else ""]
        flags += [f"merged into #{i.merged_into}" if i.merged_into else ""]
        flags += ["deleted" if i.deleted else "", f"item #{i.item}" if i.item else ""]
        return f"idea #{i.id} by {i.author} [{', '.join(f for f in flags if f)}]"


# -- failures ---------------------------------------------------------------------------------

_FAILURE_TYPES: dict[str, type] = {}


def failure_type(category: str) -> type:
    """One exception class per category, so that Hypothesis shrinks and reports each apart."""
    if category not in _FAILURE_TYPES:
        name = "Leak_" + re.sub(r"\W", "_", category)
        _FAILURE_TYPES[category] = type(name, (AssertionError,), {})
    return _FAILURE_TYPES[category]


@dataclass
class Finding:
    category: str
    message: str


# -- the machine -------------------------------------------------------------------------------

# name: (kind, role, organization, approved, reads pages, e-mail preference)
PEOPLE = {
    "customer": ("customer", "member", None, True, True, "instant"),
    "pending": ("supplier", "member", ORG_A, False, True, "instant"),
    "supplier_a": ("supplier", "member", ORG_A, True, True, "instant"),
    "supplier_b": ("supplier", "member", ORG_B, True, True, "instant"),
    "staff": ("staff", "member", None, True, True, "instant"),
    "cmod": ("customer", "moderator", None, True, True, "daily"),
    "smod": ("staff", "moderator", None, True, True, "instant"),
    "admin": ("supplier", "admin", ORG_B, True, True, "instant"),
    # More authors and flaggers, read through API notifications and e-mail only.
    "customer2": ("customer", "member", None, True, False, "instant"),
    "supplier_a2": ("supplier", "member", ORG_A, True, False, "instant"),
    "supplier_b2": ("supplier", "member", ORG_B, True, False, "daily"),
}
ACTORS = tuple(PEOPLE)
MODERATORS = ("cmod", "smod", "admin")
STAFFISH = ("staff", "smod", "admin")
PICK = st.integers(min_value=0, max_value=10_000)
ACTOR = st.sampled_from(ACTORS)


def pick(options, n):
    options = list(options)
    return options[n % len(options)] if options else None


class VisibilityMachine(RuleBasedStateMachine):
    app = None  # one app for the whole run (set by the test): its caches stay warm

    def __init__(self):
        super().__init__()
        # Hypothesis seeds `random` alike for every example; Whoosh names its segments with it.
        random.seed()
        db.session.remove()
        _empty_tables(self.app)
        rebuild(progress=False)  # an empty index for the empty database
        self.model = Model()
        self.taken: set[str] = set()
        self.steps: list[str] = []
        self.step_no = 0
        self.failed = False
        self.dirty: set[str] = set()  # markers to search for after this step
        self.touched: set[int] = set()  # ideas whose pages to read after this step
        self.everything_touched = False
        self.readers_before: dict[str, frozenset] = {}
        self.outbox_seen = 0
        self.baselines: dict[tuple, int] = {}
        self.has_mod_edit = "edit" in ACTIONS
        self.has_mod_delete = "delete" in ACTIONS
        self._build_world()

    # -- set-up --------------------------------------------------------------------------

    def _build_world(self):
        orgs = {
            ORG_A: accounts.organization_named(ORG_A, create=True),
            ORG_B: accounts.organization_named(ORG_B, create=True),
        }
        self.model.people["anonymous"] = Person("anonymous")
        users = {}
        for key, (kind, role, org, approved, _pages, preference) in PEOPLE.items():
            user = accounts.create_user(
                f"{key}@example.com", PASSWORD, display_name=key.replace("_", " ").title(),
                kind=kind, role=role, organization=orgs[org] if org else None,
                approved=approved,
            )  # fmt: skip
            user.email_preference = preference
            users[key] = user
        for audience, slug in SLUGS.items():
            create_category(slug, f"{audience.capitalize()} corner", audience)
        create_webhook(
            users["admin"], "http://127.0.0.1:9/hook", "a-webhook-secret-of-length",
            list(WEBHOOK_EVENTS),
        )  # fmt: skip
        db.session.commit()
        for key, (kind, role, org, approved, pages, _pref) in PEOPLE.items():
            user = users[key]
            self.model.people[key] = Person(
                key, user.id, kind, role, org, approved, user.email, user.handle, pages
            )
        self.clients = {"anonymous": self.app.test_client()}
        self.tokens = {"anonymous": {}}
        for key, person in self.model.people.items():
            if key == "anonymous":
                continue
            _token, secret = accounts.create_token(users[key], "stateful")
            self.tokens[key] = {"Authorization": f"Bearer {secret}"}
            if person.pages:
                client = self.app.test_client()
                response = client.post("/login", data={"email": person.email, "password": PASSWORD})
                assert response.status_code == 302, response.get_data(as_text=True)[:300]
                self.clients[key] = client
        db.session.commit()
        self.outbox_seen = db.session.scalar(select(func.max(OutboxMessage.id))) or 0

    def teardown(self):
        """The end of an example: every surface, every idea, every search, as every viewer."""
        try:
            if self.step_no and not self.failed:
                self.check_step(full=True)
        finally:
            db.session.remove()

    # -- helpers ---------------------------------------------------------------------------

    def user(self, key) -> User:
        return db.session.get(User, self.model.people[key].id)

    def marker(self) -> str:
        return new_marker_word(self.taken)

    def add_marker(self, word, owner, owner_id, what):
        self.model.markers[word] = MarkerModel(word, owner, owner_id, what)
        self.dirty.add(word)

    def add_file(self, stored, owner, owner_id):
        self.model.files[stored.id] = FileModel(stored.id, files.url_of(stored), owner, owner_id)
        self.steps[-1] += f" (file #{stored.id})"

    def note(self, text):
        self.steps.append(f"{len(self.steps) + 1}. {text}")

    def fingerprint(self):
        """Everything a refused operation must leave as it was."""
        rows = []
        for model, columns in (
            (Idea, ("id", "title", "body", "status", "status_note", "hidden", "locked",
                    "merged_into_id", "item_id", "votes_count", "comments_count",
                    "deleted_at", "category_id", "confidential")),
            (Comment, ("id", "body", "hidden", "deleted_at", "official")),
            (ImprovementItem, ("id", "title", "status")),
            (User, ("id", "approved", "suspended_until", "role")),
        ):  # fmt: skip
            rows.append(
                [
                    tuple(getattr(r, c) for c in columns)
                    for r in db.session.scalars(select(model).order_by(model.id))
                ]
            )
        for model in (Vote, Follow, Flag, ModerationAction, Notification, OutboxMessage,
                      StatusChange, IdeaRevision, CommentRevision, ItemChange, Appeal,
                      StaffNote, StoredFile):  # fmt: skip
            rows.append(db.session.scalar(select(func.count()).select_from(model)))
        return rows

    def attempt(self, description, operation, markers=()):
        """Run one operation as its route would; a refusal must change nothing."""
        db.session.rollback()
        db.session.expire_all()
        before = self.fingerprint()
        try:
            result = operation()
            db.session.commit()
        except REFUSALS as error:
            db.session.rollback()
            db.session.expire_all()
            self.model.refused_markers.update(markers)
            self.note(f"{description}: refused ({type(error).__name__}: {error})")
            after = self.fingerprint()
            if after != before:
                self.fail(
                    Finding("refusal-changed-something",
                            f"{description} was refused ({error}) but changed the database")
                )  # fmt: skip
            return None
        self.note(f"{description}: done")
        return result

    def fail(self, *findings: Finding):
        findings = [f for f in findings if f.category not in SKIP]
        if not findings:
            return
        self.failed = True
        first = findings[0]
        lines = [f"[{f.category}] {f.message}" for f in findings[:40]]
        if len(findings) > 40:
            lines.append(f"... and {len(findings) - 40} more")
        raise failure_type(first.category)(
            "\n".join(["Visibility broken after these steps:", *self.steps, "", *lines])
        )

    def idea_keys(self):
        return sorted(self.model.ideas)

    def fitting(self, actor, candidates, fits):
        """`actor`, or when it does not fit, the next of `candidates` (in order) that does.

        Operations are tried by actors who may do them (mostly): random actors would be
        refused so often that little would happen. Refusals are tried too (fit=False)."""
        candidates = list(candidates)
        start = candidates.index(actor) if actor in candidates else 0
        for candidate in candidates[start:] + candidates[:start]:
            if candidate not in self.model.suspended and fits(self.model.people[candidate]):
                return candidate
        return actor

    def seeing(self, actor, idea_id, candidates=ACTORS):
        idea = self.model.ideas[idea_id]
        return self.fitting(actor, candidates, lambda p: idea_exists(p, idea))

    def comment_keys(self):
        return sorted(self.model.comments)

    # -- operations --------------------------------------------------------------------------

    @initialize(seeds=st.lists(st.tuples(ACTOR, st.sampled_from(AUDIENCES), st.booleans(),
                                         st.booleans()), min_size=2, max_size=4))  # fmt: skip
    def seed_ideas(self, seeds):
        """Every example starts with a few ideas, by authors who may post them (some with a
        picture, whose visibility then follows the idea through the steps)."""
        for actor, audience, confidential, picture in seeds:
            self.post_idea(actor, audience, confidential, "idea", fit=True, picture=picture)

    @rule(actor=ACTOR, audience=st.sampled_from(AUDIENCES), confidential=st.booleans(),
          kind=st.sampled_from(IDEA_KINDS), fit=st.booleans(), picture=st.booleans())  # fmt: skip
    def post_idea(self, actor, audience, confidential, kind, fit, picture=False):
        if fit:
            actor = self.fitting(actor, ACTORS, lambda p: audience in audiences_of(p))
            confidential = confidential and approved_supplier(self.model.people[actor])
        word = self.marker()
        user = self.user(actor)
        uploaded = []

        def operation():
            body = f"Details of {word}, *please*."
            if picture:
                uploaded.append(files.upload(user, "picture.png", PICTURE))
                body += f"\n\n{files.markdown_for(uploaded[0])}"
            return ideas.post_idea(
                user, title=f"Idea {word} for the line", body=body,
                category=SLUGS[audience], kind=kind, confidential=confidential,
            )  # fmt: skip

        what = f"{actor} posts a{' confidential' if confidential else ''} {audience} idea"
        idea = self.attempt(what + (" with a picture" if picture else ""), operation, [word])
        if idea is None:
            return
        if uploaded:
            self.add_file(uploaded[0], "idea", idea.id)
        person = self.model.people[actor]
        self.model.ideas[idea.id] = IdeaModel(
            id=idea.id, author=actor, audience=audience, confidential=confidential,
            org=person.org if person.kind == "supplier" else None, title_marker=word,
        )  # fmt: skip
        self.add_marker(word, "idea", idea.id, "title and body")
        self.touch_idea(idea.id)
        self.steps[-1] += f" (idea #{idea.id}, {word})"

    @precondition(lambda self: self.model.ideas)
    @rule(actor=ACTOR, n=PICK, reply_to=PICK, reply=st.booleans(),
          mention=st.sampled_from((None, *ACTORS)), official=st.booleans(),
          fit=st.booleans(), picture=st.booleans())  # fmt: skip
    def comment(self, actor, n, reply_to, reply, mention, official, fit, picture=False):
        idea_id = pick(self.idea_keys(), n)
        actor = self.seeing(actor, idea_id) if fit else actor
        siblings = [c for c in self.comment_keys() if self.model.comments[c].idea == idea_id]
        parent = pick(siblings, reply_to) if reply and siblings else None
        word = self.marker()
        body = f"Comment {word} here."
        if mention:
            body += f" Over to you @{self.model.people[mention].handle}."
        user = self.user(actor)
        official = official and self.model.people[actor].kind == "staff"
        uploaded = []

        def operation():
            idea = ideas.get_idea(user, idea_id)
            text = body
            if picture:
                uploaded.append(files.upload(user, "picture.png", PICTURE))
                text += f" {files.markdown_for(uploaded[0])}"
            return discussion.add_comment(user, idea, text, parent_id=parent, official=official)

        what = f"{actor} {'replies to comment #' + str(parent) if parent else 'comments'} on idea #{idea_id}"  # noqa: E501
        if mention:
            what += f" mentioning {mention}"
        if official:
            what += " (official)"
        if picture:
            what += " with a picture"
        comment = self.attempt(what, operation, [word])
        if comment is None:
            return
        self.model.comments[comment.id] = CommentModel(comment.id, idea_id, actor)
        if uploaded:
            self.add_file(uploaded[0], "comment", comment.id)
        self.add_marker(word, "comment", comment.id, "body")
        self.touch_comment(comment.id)
        self.steps[-1] += f" (comment #{comment.id}, {word})"

    @precondition(lambda self: self.model.ideas)
    @rule(actor=ACTOR, n=PICK, fit=st.booleans())
    def vote(self, actor, n, fit):
        idea_id = pick(self.idea_keys(), n)
        actor = self.seeing(actor, idea_id) if fit else actor
        user = self.user(actor)
        self.attempt(
            f"{actor} toggles a vote on idea #{idea_id}",
            lambda: ideas.toggle_vote(user, ideas.get_idea(user, idea_id)),
        )
        self.touch_idea(idea_id)

    @precondition(lambda self: self.model.ideas)
    @rule(actor=ACTOR, n=PICK)
    def follow(self, actor, n):
        idea_id = pick(self.idea_keys(), n)
        actor = self.seeing(actor, idea_id)
        user = self.user(actor)
        self.attempt(
            f"{actor} follows idea #{idea_id}",
            lambda: ideas.set_following(user, ideas.get_idea(user, idea_id), True),
        )

    def _act(self, moderator, action, target_type, target_id, **extra):
        user = self.user(moderator)
        reason = f"Moderation reason {self.step_no}"

        def operation():
            return moderation.act(user, action, target_type, target_id, reason, **extra)

        label = f"{moderator} does {action} on {target_type} #{target_id}"
        if extra.get("into_id"):
            label += f" into #{extra['into_id']}"
        return self.attempt(label, operation)

    def _after_act(self, target_type, target_id):
        """Any moderator action on a target resolves its open flags."""
        target = (self.model.ideas if target_type == "idea" else self.model.comments)[target_id]
        target.flaggers = set()

    @precondition(lambda self: self.model.ideas)
    @rule(moderator=st.sampled_from(MODERATORS), n=PICK,
          action=st.sampled_from(("hide", "restore", "lock", "unlock", "dismiss")),
          fit=st.booleans())  # fmt: skip
    def moderate_idea(self, moderator, n, action, fit):
        idea_id = pick(self.idea_keys(), n)
        moderator = self.seeing(moderator, idea_id, MODERATORS) if fit else moderator
        if self._act(moderator, action, "idea", idea_id) is None:
            return
        idea = self.model.ideas[idea_id]
        self._after_act("idea", idea_id)
        if action == "hide":
            idea.hidden, idea.auto_held = True, False
        elif action == "restore" or action == "dismiss" and idea.hidden and idea.auto_held:
            idea.hidden, idea.auto_held = False, False
        elif action in ("lock", "unlock"):
            idea.locked = action == "lock"
        self.touch_idea(idea_id)

    @precondition(lambda self: self.model.comments)
    @rule(moderator=st.sampled_from(MODERATORS), n=PICK,
          action=st.sampled_from(("hide", "restore", "dismiss")), fit=st.booleans())  # fmt: skip
    def moderate_comment(self, moderator, n, action, fit):
        comment_id = pick(self.comment_keys(), n)
        idea_id = self.model.comments[comment_id].idea
        moderator = self.seeing(moderator, idea_id, MODERATORS) if fit else moderator
        if self._act(moderator, action, "comment", comment_id) is None:
            return
        comment = self.model.comments[comment_id]
        self._after_act("comment", comment_id)
        if action == "hide":
            comment.hidden, comment.auto_held = True, False
        elif action == "restore" or comment.hidden and comment.auto_held:
            comment.hidden, comment.auto_held = False, False
        self.touch_comment(comment_id)

    @precondition(lambda self: len(self.model.ideas) >= 2)
    @rule(moderator=st.sampled_from(MODERATORS), n=PICK, m=PICK)
    def merge(self, moderator, n, m):
        keys = self.idea_keys()
        duplicate = pick(keys, n)
        original = pick([k for k in keys if k != duplicate], m)
        pair = (self.model.ideas[duplicate], self.model.ideas[original])
        moderator = self.fitting(
            moderator, MODERATORS, lambda p: all(idea_exists(p, i) for i in pair)
        )
        if self._act(moderator, "merge", "idea", duplicate, into_id=original) is None:
            return
        self._after_act("idea", duplicate)
        for idea in self.model.ideas.values():
            if idea.merged_into == duplicate:
                idea.merged_into = original
        self.model.ideas[duplicate].merged_into = original
        self.touch_idea(duplicate)
        self.touch_idea(original)

    @precondition(lambda self: self.model.ideas or self.model.comments)
    @rule(actor=ACTOR, n=PICK, on_comment=st.booleans(), fit=st.booleans())
    def flag(self, actor, n, on_comment, fit):
        target_type = "comment" if on_comment and self.model.comments else "idea"
        targets = self.model.comments if target_type == "comment" else self.model.ideas
        target_id = pick(sorted(targets), n)
        idea_id = targets[target_id].idea if target_type == "comment" else target_id
        actor = self.seeing(actor, idea_id) if fit else actor
        user = self.user(actor)
        done = self.attempt(
            f"{actor} flags {target_type} #{target_id} as spam",
            lambda: moderation.flag(user, target_type, target_id, "spam"),
        )
        if done is None:
            return
        target = targets[target_id]
        target.flaggers.add(actor)
        if not target.hidden and len(target.flaggers) >= FLAGS_TO_HIDE:
            target.hidden, target.auto_held = True, True
            self.steps[-1] += " (now held for review)"
        if target_type == "idea":
            self.touch_idea(target_id)
        else:
            self.touch_comment(target_id)

    @precondition(lambda self: self.model.ideas)
    @rule(actor=st.sampled_from((*STAFFISH, "customer")), n=PICK,
          status=st.sampled_from(("under_review", "planned", "in_progress", "done",
                                  "declined")))  # fmt: skip
    def change_status(self, actor, n, status):
        idea_id = pick(self.idea_keys(), n)
        word = self.marker()
        user = self.user(actor)
        done = self.attempt(
            f"{actor} sets idea #{idea_id} to {status} with a note",
            lambda: ideas.change_status(
                user, ideas.get_idea(user, idea_id), status, f"Status note {word}."
            ),
            [word],
        )
        if done is not None:
            self.add_marker(word, "idea", idea_id, "status note")
            self.steps[-1] += f" ({word})"
            self.touch_idea(idea_id)

    @precondition(lambda self: self.model.ideas)
    @rule(actor=st.sampled_from((*STAFFISH, "customer", "cmod")), n=PICK,
          mention=st.sampled_from((None, *ACTORS)))  # fmt: skip
    def staff_note(self, actor, n, mention):
        """A staff note (issue 15): for staff and admins who may read the idea, nobody else."""
        idea_id = pick(self.idea_keys(), n)
        word = self.marker()
        body = f"Staff note {word}."
        if mention:
            body += f" For @{self.model.people[mention].handle}."
        user = self.user(actor)
        note = self.attempt(
            f"{actor} writes a staff note on idea #{idea_id}"
            + (f" mentioning {mention}" if mention else ""),
            lambda: notes.add_note(user, ideas.get_idea(user, idea_id), body),
            [word],
        )
        if note is not None:
            self.add_marker(word, "idea", idea_id, "staff note")
            self.model.note_authors[word] = actor
            self.steps[-1] += f" ({word})"
            self.touch_idea(idea_id)

    @precondition(lambda self: self.model.ideas)
    @rule(actor=st.sampled_from((*STAFFISH, "supplier_a")), n=PICK, m=PICK,
          two=st.booleans())  # fmt: skip
    def promote(self, actor, n, m, two):
        keys = self.idea_keys()
        chosen = [pick(keys, n)]
        if two and len(keys) > 1:
            chosen.append(pick([k for k in keys if k != chosen[0]], m))
        word = self.marker()
        user = self.user(actor)
        item = self.attempt(
            f"{actor} promotes ideas {chosen} to an item",
            lambda: tracking.promote(
                user, chosen, title=f"Item {word} to build", description=f"Plan {word}."
            ),
            [word],
        )
        if item is None:
            return
        self.model.items[item.id] = ItemModel(item.id)
        for idea_id in chosen:
            self.model.ideas[idea_id].item = item.id
            self.touch_idea(idea_id)
        self.add_marker(word, "item", item.id, "title and description")
        self.steps[-1] += f" (item #{item.id}, {word})"

    @precondition(lambda self: self.model.items)
    @rule(actor=st.sampled_from(STAFFISH), n=PICK,
          status=st.sampled_from(("in_progress", "shipped", "dropped", "planned")))  # fmt: skip
    def update_item(self, actor, n, status):
        item_id = pick(sorted(self.model.items), n)
        word = self.marker()
        user = self.user(actor)
        done = self.attempt(
            f"{actor} moves item #{item_id} to {status} with a note",
            lambda: tracking.update_item(
                user, tracking.get_item(user, item_id), status=status, note=f"Item note {word}."
            ),
            [word],
        )
        if done is None:
            return
        self.model.items[item_id].status = status
        # The note may become the linked ideas' status note: it is the item's text.
        self.add_marker(word, "item", item_id, "status note")
        self.steps[-1] += f" ({word})"
        for idea in self.model.item_ideas(item_id):
            self.touch_idea(idea.id)

    @rule(actor=st.sampled_from(("staff", "admin", "smod", "customer")), who=ACTOR,
          what=st.sampled_from(("approve", "suspend", "unsuspend", "revoke")))  # fmt: skip
    def account_changes(self, actor, who, what):
        """Approve (or revoke, if the portal can) the pending supplier; suspend someone."""
        if what in ("suspend", "unsuspend"):
            moderator = actor if actor in MODERATORS else "smod"
            until = (utcnow() + timedelta(days=1)).isoformat() if what == "suspend" else None
            done = self._act(moderator, what, "user", self.model.people[who].id, until=until)
            if done is not None:
                (self.model.suspended.add if what == "suspend" else self.model.suspended.discard)(
                    who
                )
            return
        user, pending = self.user(actor), self.user("pending")
        if what == "approve":
            operation = accounts.approve_supplier
        else:
            operation = getattr(accounts, "revoke_supplier", None)
            if operation is None:  # no such operation (yet): approval is final
                return
        done = self.attempt(
            f"{actor} {what}s the pending supplier", lambda: operation(user, pending) or True
        )
        if done:
            self.model.people["pending"].approved = what == "approve"
            self.everything_touched = True  # every idea may look different to them now

    @precondition(lambda self: self.model.ideas)
    @rule(actor=ACTOR, n=PICK, as_author=st.booleans(), title=st.booleans())
    def edit_idea(self, actor, n, as_author, title):
        idea_id = pick(self.idea_keys(), n)
        if as_author:
            actor = self.model.ideas[idea_id].author
        word = self.marker()
        user = self.user(actor)
        changes = {"title": f"Edited {word} idea"} if title else {"body": f"Edited body {word}."}
        done = self.attempt(
            f"{actor} edits the {'title' if title else 'body'} of idea #{idea_id}",
            lambda: ideas.edit_idea(user, ideas.get_idea(user, idea_id), **changes),
            [word],
        )
        if done is not None:
            self.add_marker(word, "idea", idea_id, f"edited {'title' if title else 'body'}")
            if title:
                self.model.ideas[idea_id].title_marker = word
            self.steps[-1] += f" ({word})"
            self.touch_idea(idea_id)

    @precondition(lambda self: self.model.comments)
    @rule(actor=ACTOR, n=PICK, as_author=st.booleans(), delete=st.booleans())
    def author_edits_or_deletes_comment(self, actor, n, as_author, delete):
        comment_id = pick(self.comment_keys(), n)
        comment = self.model.comments[comment_id]
        if as_author:
            actor = comment.author
        user = self.user(actor)
        idea_id = comment.idea

        def target():
            return discussion.get_comment(user, ideas.get_idea(user, idea_id), comment_id)

        if delete:
            done = self.attempt(
                f"{actor} deletes comment #{comment_id}",
                lambda: discussion.delete_comment(user, target()),
            )
            if done is not None:
                mine = actor == comment.author
                comment.deleted = "author" if mine else "moderator"
                self.touch_comment(comment_id)
            return
        word = self.marker()
        done = self.attempt(
            f"{actor} edits comment #{comment_id}",
            lambda: discussion.edit_comment(user, target(), f"Edited comment {word}."),
            [word],
        )
        if done is not None:
            self.add_marker(word, "comment", comment_id, "edited body")
            self.steps[-1] += f" ({word})"
            self.touch_comment(comment_id)

    @precondition(lambda self: (self.has_mod_edit or self.has_mod_delete) and self.model.ideas)
    @rule(moderator=st.sampled_from(MODERATORS), n=PICK, on_comment=st.booleans(),
          delete=st.booleans())  # fmt: skip
    def moderator_edits_or_deletes(self, moderator, n, on_comment, delete):
        """SPEC 4: moderators edit and delete others' content as logged actions."""
        action = "delete" if delete else "edit"
        if action not in ACTIONS:
            return
        target_type = "comment" if on_comment and self.model.comments else "idea"
        targets = self.model.comments if target_type == "comment" else self.model.ideas
        target_id = pick(sorted(targets), n)
        extra, word = {}, None
        if action == "edit":
            word = self.marker()
            params = signature(moderation.act).parameters
            if "body" not in params:
                return
            extra["body"] = f"Moderated body {word}."
            if target_type == "idea" and "title" in params:
                extra["title"] = f"Moderated {word} idea"
        done = self._act(moderator, action, target_type, target_id, **extra)
        if done is None:
            if word:
                self.model.refused_markers.add(word)
            return
        self._after_act(target_type, target_id)
        if action == "delete":
            if target_type == "idea":
                # The portal also hides it for good (its tombstone gives the reason).
                idea = self.model.ideas[target_id]
                idea.deleted, idea.hidden, idea.auto_held = True, True, False
            else:
                self.model.comments[target_id].deleted = "moderator"
        else:
            self.add_marker(word, target_type, target_id, "moderator's edit")
            # The new text names none of the post's pictures: the portal deletes them.
            for file in self.model.files.values():
                if (file.owner, file.owner_id) == (target_type, target_id):
                    file.edited_out = True
            if target_type == "idea" and "title" in extra:
                self.model.ideas[target_id].title_marker = word
        if target_type == "idea":
            self.touch_idea(target_id)
        else:
            self.touch_comment(target_id)

    # -- what a step touched (read and searched for at once) ---------------------------------

    def touch_idea(self, idea_id):
        """The idea's pages, those of ideas merged with it, and the markers of all of them."""
        related = {idea_id}
        idea = self.model.ideas[idea_id]
        if idea.merged_into:
            related.add(idea.merged_into)
        related |= {i.id for i in self.model.ideas.values() if i.merged_into in related}
        self.touched |= related
        for marker in self.model.markers.values():
            if (
                marker.owner == "idea"
                and marker.owner_id in related
                or marker.owner == "comment"
                and self.model.comments[marker.owner_id].idea in related
                or marker.owner == "item"
                and self.model.ideas[idea_id].item == marker.owner_id
            ):
                self.dirty.add(marker.word)

    def touch_comment(self, comment_id):
        self.touch_idea(self.model.comments[comment_id].idea)

    # -- the checks ----------------------------------------------------------------------------

    @invariant()
    def nothing_leaks(self):
        """After each step: what changed, on every surface that may show it, as every viewer.

        Pages of the ideas the step touched, every notification list and the outbox are read
        after every step; the lists, items, roadmap, changelog, exports, queue and log in
        turns (a third of them each step, all of them in the long run); and everything, search
        included, at the end of each example (teardown)."""
        self.step_no += 1
        self.check_step(full=self.everything_touched or LONG)

    def check_step(self, full: bool):
        db.session.rollback()
        db.session.expire_all()
        self.check_model_matches_database()
        readers = {
            word: frozenset(
                k for k, p in self.model.people.items() if self.model.readable(p, marker)
            )
            for word, marker in self.model.markers.items()
        }
        changed = {w for w, r in readers.items() if self.readers_before.get(w) != r}
        self.readers_before = readers
        # While Hypothesis shrinks, stop at the first viewer who sees too much (fast); the
        # final run of the minimal sequence reads everything and reports it all.
        fail_fast = not final_run()
        findings: list[Finding] = []
        findings += self.check_outbox()
        ideas_to_read = set(self.model.ideas) if full else set(self.touched)
        for person in self.model.people.values():
            if person.pages:
                findings += self.check_viewer(person, ideas_to_read, full)
            else:
                findings += self.api(person, "/notifications?per_page=100")[1]
            if fail_fast:
                self.fail(*findings)
        self.fail(*findings)
        words = set(self.model.markers) if full else (self.dirty | changed)
        self.check_search(words & set(self.model.markers))
        self.dirty, self.touched, self.everything_touched = set(), set(), False
        db.session.rollback()

    def check_model_matches_database(self):
        """The model follows the product's own state; a difference is a bug on either side."""
        problems = []
        for idea in db.session.scalars(select(Idea)):
            m = self.model.ideas.get(idea.id)
            if m is None:
                problems.append(f"idea #{idea.id} exists but the model has none")
                continue
            for name, mine, theirs in (
                ("hidden", m.hidden, idea.hidden),
                ("locked", m.locked, idea.locked),
                ("merged_into", m.merged_into, idea.merged_into_id),
                ("item", m.item, idea.item_id),
                ("confidential", m.confidential, idea.confidential),
                ("audience", m.audience, idea.audience),
                ("deleted", m.deleted, idea.deleted_at is not None),
            ):
                if mine != theirs:
                    problems.append(f"idea #{idea.id} {name}: model {mine!r}, database {theirs!r}")
        for comment in db.session.scalars(select(Comment)):
            m = self.model.comments.get(comment.id)
            if m is None:
                problems.append(f"comment #{comment.id} exists but the model has none")
            elif m.hidden != comment.hidden or bool(m.deleted) != comment.is_deleted:
                problems.append(
                    f"comment #{comment.id}: model hidden={m.hidden} deleted={m.deleted}, "
                    f"database hidden={comment.hidden} deleted={comment.is_deleted}"
                )
        if problems:
            self.fail(Finding("model-out-of-step", "; ".join(problems)))

    # reading -----------------------------------------------------------------------------

    def own_words(self, person: Person, marker: MarkerModel) -> bool:
        """Whether `person` wrote what holds the marker (their export gives it back to them,
        whatever became of it)."""
        if marker.word in self.model.note_authors:  # a staff note's words are its author's
            return self.model.note_authors[marker.word] == person.key
        owners = {"idea": self.model.ideas, "comment": self.model.comments}.get(marker.owner, {})
        owner = owners.get(marker.owner_id)
        return owner is not None and owner.author == person.key

    def scan(self, person: Person, surface: str, text: str, ignore: str | None = None,
             own_words_ok: bool = False):  # fmt: skip
        """Every marker in `text` that `person` may not read (and any refused one)."""
        findings = []
        for word in sorted(set(MARKER.findall(text))):
            if word == ignore:
                continue
            marker = self.model.markers.get(word)
            if own_words_ok and marker is not None and self.own_words(person, marker):
                continue
            if marker is None:
                name = "refused-write-visible" if word in self.model.refused_markers else (
                    "unknown-marker")  # fmt: skip
                findings.append(Finding(name, f"{person.key} / {surface}: {word} appears"))
            elif not self.model.readable(person, marker):
                why = self.model.why_not(person, marker)
                findings.append(
                    Finding(
                        category(person, surface, why),
                        f"{person.key} / {surface}: shows {word}, "
                        f"the {self.model.describe(marker)}",
                    )
                )
        return findings

    def scan_links(self, person: Person, surface: str, text: str):
        """Links to ideas that do not exist for `person` name what they may not see."""
        findings = []
        for number in sorted({int(n) for n in IDEA_LINK.findall(text)}):
            idea = self.model.ideas.get(number)
            if idea is not None and not idea_exists(person, idea):
                findings.append(
                    Finding(
                        category(person, surface, "links-unseen-idea"),
                        f"{person.key} / {surface}: links to {self.model.describe_idea(number)}",
                    )
                )
        return findings

    def get(self, person: Person, path: str, api=False):
        client = self.clients.get(person.key) or self.clients["anonymous"]
        response = client.get(path, headers=self.tokens[person.key] if api else {})
        db.session.rollback()  # the client shares this session: no transaction left open
        return response

    def page(self, person, path, ignore=None):
        response = self.get(person, path)
        text = response.get_data(as_text=True)
        surface, reader = f"GET {path}", person
        if is_feed(path):
            # A feed carries what an anonymous visitor may read, whoever asks (SPEC 16): fetched
            # with the asker's session, judged by the visitor's rights; the links inside its
            # escaped HTML count too.
            reader = self.model.people["anonymous"]
            surface += f" (asked by {person.key})"
            text = html.unescape(text)
        findings = self.scan(reader, surface, text, ignore)
        findings += self.scan_links(reader, surface, text)
        if response.status_code >= 500:
            findings.append(Finding("server-error", f"{person.key} / GET {path}: 500"))
        return response, text, findings

    def api(self, person, path, ignore=None):
        response = self.get(person, f"/api/v1{path}", api=True)
        text = response.get_data(as_text=True)
        findings = self.scan(person, f"API {path}", text, ignore)
        if response.status_code >= 500:
            findings.append(Finding("server-error", f"{person.key} / API {path}: 500"))
        return response, findings

    def surfaces(self, person: Person) -> list[str]:
        """The pages and API lists `person` reads ("API " ones with their token)."""
        paths = [
            "/",
            "/ideas?sort=new&per_page=100",
            f"/ideas?category={pick(SLUGS.values(), self.step_no)}&per_page=100",
            "/ideas?status=planned&per_page=100",
            "/roadmap",
            "/changelog",
            "/ideas.atom?sort=new",
            f"/ideas.atom?category={pick(SLUGS.values(), self.step_no + 1)}",
            "/changelog.atom",
            "/moderation/log?per_page=100",
            "API /ideas?per_page=100&sort=new",
            "API /items?per_page=100",
        ]
        if is_mod(person):
            paths += ["/moderation?per_page=100", "API /moderation/queue?per_page=100"]
        if is_staff(person) or is_admin(person):
            paths += ["/staff/export/ideas.csv", "/staff/export/items.csv", "/staff/triage"]
        for item_id in sorted(self.model.items):
            paths += [f"/items/{item_id}", f"API /items/{item_id}"]
        return paths

    def check_viewer(self, person: Person, idea_ids, full: bool) -> list[Finding]:
        findings: list[Finding] = []
        for idea_id in sorted(idea_ids):
            findings += self.check_idea(person, self.model.ideas[idea_id])
        if signed_in(person):
            findings += self.page(person, "/notifications?per_page=100")[2]
            findings += self.api(person, "/notifications?per_page=100")[1]
            if full or self.step_no % 3 == 0:
                findings += self.check_export(person)
        for n, path in enumerate(self.surfaces(person)):
            if not full and (n + self.step_no) % 3:
                continue
            if path.startswith("API "):
                response, found = self.api(person, path[4:])
            else:
                response, _text, found = self.page(person, path)
            findings += found
            item = re.fullmatch(r"(?:API )?/items/(\d+)", path)
            item_id = int(item.group(1)) if item else None
            if (
                item
                and not self.model.item_visible(person, item_id)
                and response.status_code != 404
            ):
                linked = ", ".join(
                    self.model.describe_idea(i.id) for i in self.model.item_ideas(item_id)
                )
                findings.append(
                    Finding(category(person, path, "item-not-404"),
                            f"{person.key} / {path}: {response.status_code}, not 404, for "
                            f"item #{item_id} (linked: {linked})")
                )  # fmt: skip
        return findings

    def check_export(self, person: Person) -> list[Finding]:
        """The person's export (SPEC 15): their own words, and nothing else they may not read."""
        findings = []
        for surface, response in (
            ("GET /account/export", self.get(person, "/account/export")),
            ("API /me/export", self.get(person, "/api/v1/me/export", api=True)),
        ):
            text = response.get_data(as_text=True)
            if response.status_code != 200:
                name = "server-error" if response.status_code >= 500 else "export-refused"
                findings.append(Finding(name, f"{person.key} / {surface}: {response.status_code}"))
                continue
            findings += self.scan(person, surface, text, own_words_ok=True)
        return findings

    def check_files(self, person: Person, idea: IdeaModel) -> list[Finding]:
        """The idea's and its comments' pictures answer 200 exactly to whoever may read what
        holds them, 404 to everyone else (SPEC 16)."""
        findings = []
        for file in self.model.files.values():
            holder_idea = (
                file.owner_id if file.owner == "idea" else self.model.comments[file.owner_id].idea
            )
            if holder_idea != idea.id:
                continue
            status = self.get(person, file.url).status_code
            expected = 200 if self.model.file_readable(person, file) else 404
            if status != expected:
                holder = (
                    self.model.describe_idea(file.owner_id)
                    if file.owner == "idea"
                    else f"comment #{file.owner_id} on {self.model.describe_idea(holder_idea)}"
                )
                why = "file-not-404" if expected == 404 else "file-not-200"
                findings.append(
                    Finding(category(person, f"GET {file.url}", why),
                            f"{person.key} / GET {file.url}: {status}, not {expected}, for the "
                            f"picture of {holder}")
                )  # fmt: skip
        return findings

    def check_idea(self, person: Person, idea: IdeaModel) -> list[Finding]:
        findings: list[Finding] = self.check_files(person, idea)
        exists = idea_exists(person, idea)
        readable = idea_readable(person, idea)
        base = f"/ideas/{idea.id}"
        responses = {}
        for path in (base, f"{base}/history"):
            response, text, found = self.page(person, path)
            responses[path] = (response, text)
            findings += found
        api_idea, found = self.api(person, base)
        findings += found
        api_comments, found = self.api(person, f"{base}/comments?per_page=100")
        findings += found
        findings += self.check_idea_feed(person, idea)
        findings += self.api(person, f"{base}/notes?per_page=100")[1]
        statuses = {
            f"GET {base}": responses[base][0].status_code,
            f"GET {base}/history": responses[f"{base}/history"][0].status_code,
            f"API {base}": api_idea.status_code,
            f"API {base}/comments": api_comments.status_code,
        }
        if not exists:
            for surface, status in statuses.items():
                if status != 404:
                    findings.append(
                        Finding(category(person, surface, "not-404-for-unseen-idea"),
                                f"{person.key} / {surface}: {status}, not 404, for "
                                f"{self.model.describe_idea(idea.id)}")
                    )  # fmt: skip
            return findings
        if not readable and api_comments.status_code != 404 and not idea.deleted:
            findings.append(
                Finding(category(person, "API /ideas/1/comments", "hidden-idea-not-404"),
                        f"{person.key} / API {base}/comments: {api_comments.status_code} for "
                        f"{self.model.describe_idea(idea.id)} (SPEC 4: 404)")
            )  # fmt: skip
        if api_idea.status_code == 200:
            body = api_idea.get_json()
            author = (body.get("author") or {}).get("id")
            real = self.model.people[idea.author].id
            # Hidden content names its author to moderators and the author only (a
            # moderator's removal too: the idea stays hidden behind its tombstone).
            if idea.hidden and not sees_hidden(person, idea.author) and author == real:
                findings.append(
                    Finding(category(person, "API /ideas/1", "author-of-hidden-idea"),
                            f"{person.key} / API {base}: names the author ({idea.author}) of "
                            f"{self.model.describe_idea(idea.id)}")
                )  # fmt: skip
            if readable and idea.title_marker not in api_idea.get_data(as_text=True):
                findings.append(
                    Finding(category(person, "API /ideas/1", "readable-but-missing"),
                            f"{person.key} / API {base}: no {idea.title_marker} (title) of "
                            f"{self.model.describe_idea(idea.id)}")
                )  # fmt: skip
        elif not idea.merged_into:
            findings.append(
                Finding(category(person, "API /ideas/1", "visible-but-not-200"),
                        f"{person.key} / API {base}: {api_idea.status_code} for "
                        f"{self.model.describe_idea(idea.id)}")
            )  # fmt: skip
        if api_comments.status_code == 200:
            for entry in api_comments.get_json()["items"]:
                comment = self.model.comments.get(entry["id"])
                if comment is None:
                    continue
                if not self.model.comment_readable(person, comment):
                    author = (entry.get("author") or {}).get("id")
                    if comment.hidden and author == self.model.people[comment.author].id:
                        findings.append(
                            Finding(category(person, "API /ideas/1/comments",
                                             "author-of-hidden-comment"),
                                    f"{person.key} / API {base}/comments: names the author "
                                    f"({comment.author}) of hidden comment #{comment.id}")
                        )  # fmt: skip
        page_response, page_text = responses[base]
        if not idea.merged_into:
            if page_response.status_code != 200:
                findings.append(
                    Finding(category(person, "GET /ideas/1", "visible-but-not-200"),
                            f"{person.key} / GET {base}: {page_response.status_code} for "
                            f"{self.model.describe_idea(idea.id)}")
                )  # fmt: skip
            elif readable and idea.title_marker not in page_text:
                findings.append(
                    Finding(category(person, "GET /ideas/1", "readable-but-missing"),
                            f"{person.key} / GET {base}: no {idea.title_marker} (title) of "
                            f"{self.model.describe_idea(idea.id)}")
                )  # fmt: skip
        return findings

    def check_idea_feed(self, person: Person, idea: IdeaModel) -> list[Finding]:
        """An idea's feed exists, for whoever asks, exactly when a visitor may read the idea
        and it is not merged; it then names the idea (its title is in the feed's title)."""
        path = f"/ideas/{idea.id}.atom"
        response, text, findings = self.page(person, path)
        anonymous = self.model.people["anonymous"]
        exists = idea_readable(anonymous, idea) and not idea.merged_into
        surface = f"GET {path} (asked by {person.key})"
        if response.status_code != (200 if exists else 404):
            findings.append(
                Finding(category(anonymous, surface, "feed-exists" if exists else "feed-not-404"),
                        f"{surface}: {response.status_code} for "
                        f"{self.model.describe_idea(idea.id)}")
            )  # fmt: skip
        elif exists and idea.title_marker not in text:
            findings.append(
                Finding(category(anonymous, surface, "readable-but-missing"),
                        f"{surface}: no {idea.title_marker} (title) of "
                        f"{self.model.describe_idea(idea.id)}")
            )  # fmt: skip
        return findings

    def check_outbox(self) -> list[Finding]:
        """E-mails for what their recipient may read, webhooks for what anybody may read."""
        db.session.execute(
            update(User).where(User.email_preference == "daily").values(last_digest_at=None)
        )
        db.session.commit()
        self.app.extensions["outbox_worker"].drain(wait=True)  # the daily digests are due
        db.session.rollback()
        db.session.expire_all()
        rows = list(
            db.session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.id > self.outbox_seen)
                .order_by(OutboxMessage.id)
            )
        )
        findings = []
        anonymous = self.model.people["anonymous"]
        for row in rows:
            self.outbox_seen = max(self.outbox_seen, row.id)
            text = f"{row.subject}\n{row.body}"
            if row.kind == "webhook":
                payload = json.loads(row.body)
                surface = f"webhook {payload.get('event')}"
                findings += self.scan(anonymous, surface, text)
                findings += self.scan_links(anonymous, surface, text.replace('"url": ', "href="))
            else:
                person = next(
                    (p for p in self.model.people.values() if p.email == row.recipient), None
                )
                if person is None:
                    continue
                kind = "digest" if row.subject.startswith("Your daily digest") else "e-mail"
                findings += self.scan(person, f"{kind} '{row.subject[:60]}'", text)
        db.session.rollback()
        return findings

    # search --------------------------------------------------------------------------------

    def _echo(self, person: Person, surface: str, path: str) -> int:
        """How often a search surface repeats the query itself (asked with a word nobody wrote)."""
        key = (person.key, surface)
        if key not in self.baselines:
            probe = new_marker_word(self.taken)
            response = self.get(person, path.format(q=probe), api=surface == "API search")
            self.baselines[key] = response.get_data(as_text=True).count(probe)
        return self.baselines[key]

    def _found(self, person, marker, name, response) -> list[Finding]:
        """A readable idea's current title is found (else the checks above prove nothing)."""
        idea = self.model.ideas.get(marker.owner_id) if marker.owner == "idea" else None
        if (
            idea is None
            or marker.word != idea.title_marker
            or idea.hidden
            or idea.merged_into  # a duplicate is found through its original
            or response.status_code != 200
            or response.get_json()["total"]
        ):
            return []
        return [
            Finding(
                category(person, "search", "readable-not-found"),
                f"{person.key} / {name}: does not find {self.model.describe(marker)}",
            )
        ]

    def check_search(self, words):
        """Search for each marker as each viewer: one they may not read is found nowhere.

        The API is asked for every marker (its total and facets must not count an unreadable
        one); the search page and the similar-ideas box for the unreadable ones."""
        findings = []
        fail_fast = not final_run()
        surfaces = (
            ("API search", "/api/v1/search?q={q}&per_page=100"),
            ("GET /search", "/search?q={q}"),
            ("GET /ideas/similar", "/ideas/similar?title={q}"),
        )
        for person in self.model.people.values():
            if not person.pages:
                continue
            for word in sorted(words):
                marker = self.model.markers[word]
                readable = self.model.readable(person, marker)
                for surface, path in surfaces:
                    if readable and surface != "API search":
                        continue
                    echo = self._echo(person, surface, path)
                    response = self.get(person, path.format(q=word), api=surface == "API search")
                    text = response.get_data(as_text=True)
                    name = f"{surface}?q={word}"
                    findings += self.scan(person, name, text, ignore=word)
                    if surface != "API search":
                        findings += self.scan_links(person, name, text)
                    if readable:
                        findings += self._found(person, marker, name, response)
                        continue
                    why = self.model.why_not(person, marker)
                    if text.count(word) > echo:
                        findings.append(
                            Finding(category(person, surface, why),
                                    f"{person.key} / {name}: finds {word}, the "
                                    f"{self.model.describe(marker)}")
                        )  # fmt: skip
                    if surface == "API search" and response.status_code == 200:
                        body = response.get_json()
                        counted = sum(
                            n for facet in body["facets"].values() for n in facet.values()
                        )
                        if body["total"] or body["items"] or counted:
                            findings.append(
                                Finding(category(person, "search", f"counts-{why}"),
                                        f"{person.key} / {name}: total {body['total']}, "
                                        f"{len(body['items'])} items, facets {body['facets']} "
                                        f"for the {self.model.describe(marker)}")
                            )  # fmt: skip
            if fail_fast:
                self.fail(*findings)
        self.fail(*findings)


FAMILIES = (  # the first pattern a surface's name matches names its family
    ("feeds", r"\.atom"),
    ("files", r"^GET /files/"),
    ("export", r"export$"),
    ("search", r"search|similar"),
    ("history", r"/history"),
    ("api-comments", r"^API /ideas/\d+/comments"),
    ("api-notes", r"^API /ideas/\d+/notes"),
    ("api-idea", r"^API /ideas/\d+"),
    ("idea-page", r"^GET /ideas/\d+"),
    ("notifications", r"notifications"),
    ("items", r"items|roadmap|changelog"),
    ("moderation", r"moderation"),
    ("staff", r"/staff"),
    ("webhook", r"^webhook"),
    ("digest", r"^digest"),
    ("e-mail", r"^e-mail"),
    ("lists", r""),
)


def category(person: Person, surface: str, what: str) -> str:
    """A failure's category: the family of the surface, why, and a customer moderator apart
    (the moderator role adds no audience): one root cause, one category, mostly."""
    family = next(name for name, pattern in FAMILIES if re.search(pattern, surface))
    as_moderator = person.role == "moderator" and person.kind != "staff"
    return f"{family}:{what}" + ("@customer-moderator" if as_moderator else "")


SETTINGS = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    database=None,
    derandomize=not LONG,
    # The simplest failing sequence of all, well shrunk, rather than one per category; the
    # next one shows with PORTAL_STATEFUL_SKIP naming the first one's category.
    report_multiple_bugs=False,
    # Not the explain phase: it re-runs the failing sequence many times over (minutes here).
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.timeout(0 if LONG else 900)
def test_one_visibility_rule_on_every_surface(database_url, monkeypatch):
    if not LONG:
        # A failure found in the short run is shrunk for at most this long (Hypothesis's own
        # limit is five minutes per test, too long for `make test` on two databases); the
        # sequences found here are short anyway, and `make fuzz` shrinks for the full time.
        from hypothesis.internal.conjecture import engine

        monkeypatch.setattr(engine, "MAX_SHRINKING_SECONDS", 150, raising=False)
    app = make_test_app(
        database_url, MAIL_BACKEND="log", WEBHOOK_ALLOW_PRIVATE=True, FLAGS_TO_HIDE=FLAGS_TO_HIDE
    )
    VisibilityMachine.app = app
    with app.app_context():
        try:
            run_state_machine_as_test(VisibilityMachine, settings=SETTINGS)
        finally:
            db.session.remove()
            _empty_tables(app)


def test_a_moderators_edit_deletes_the_pictures_it_leaves_out(database_url):
    """The long run's sequence (PostgreSQL, 2026-12-07): the portal deletes a picture a
    moderator's edit leaves out (files.delete_dropped), so it is a 404 for everyone."""
    app = make_test_app(database_url, MAIL_BACKEND="log", WEBHOOK_ALLOW_PRIVATE=True,
                        FLAGS_TO_HIDE=FLAGS_TO_HIDE)  # fmt: skip
    VisibilityMachine.app = app
    with app.app_context():
        try:
            state = VisibilityMachine()
            state.seed_ideas(seeds=[("customer", "public", False, True),
                                    ("customer", "public", False, False)])  # fmt: skip
            state.nothing_leaks()
            state.moderator_edits_or_deletes(delete=False, moderator="cmod", n=0, on_comment=False)
            state.nothing_leaks()
            state.teardown()
        finally:
            db.session.remove()
            _empty_tables(app)


@pytest.mark.parametrize(
    ("who", "idea", "expected"),
    [
        ("cmod", IdeaModel(1, "x", "suppliers", False, None), False),
        ("cmod", IdeaModel(1, "x", "customers", False, None, hidden=True), True),
        ("pending", IdeaModel(1, "x", "customers", False, ORG_A), True),
        ("pending", IdeaModel(1, "x", "public", True, ORG_A), False),
        ("supplier_a", IdeaModel(1, "x", "public", True, ORG_A), True),
        ("supplier_b", IdeaModel(1, "x", "suppliers", True, ORG_A), False),
        ("staff", IdeaModel(1, "x", "suppliers", True, ORG_A), True),
        ("staff", IdeaModel(1, "x", "public", False, None, hidden=True), False),
        ("smod", IdeaModel(1, "x", "suppliers", True, ORG_A, hidden=True), True),
        ("admin", IdeaModel(1, "x", "customers", True, ORG_A, hidden=True), True),
        ("anonymous", IdeaModel(1, "x", "public", False, None), True),
        ("anonymous", IdeaModel(1, "x", "customers", False, None), False),
        ("customer", IdeaModel(1, "customer", "customers", False, None, hidden=True), True),
    ],
)
def test_the_oracle_says_what_the_spec_says(who, idea, expected):
    """The hand-written oracle on a few cases read straight from SPEC section 2."""
    if who == "anonymous":
        person = Person("anonymous")
    else:
        kind, role, org, approved, _pages, _pref = PEOPLE[who]
        person = Person(who, 1, kind, role, org, approved)
    assert idea_readable(person, idea) is expected
