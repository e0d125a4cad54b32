"""Reading the change cursor: has anything a page watches changed since it last asked?

A page names what it watches (`idea:42`, `notifications`, `moderation`, `moderation-queue`,
`triage`, `intake`, `inbox`) and the cursor it was rendered at. `check` answers in one
statement over the primary key and the (topic, id) index, without loading the viewer: a
person's notifications are named by the id in their signed session. Only when something
changed does /live load the viewer and render what they may see of it.
"""

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from flask import current_app, g
from sqlalchemy import delete, select

from portal.database import writing
from portal.extensions import db
from portal.live.changes import INTAKE, MODERATION, TRIAGE, user_topic
from portal.live.models import LiveChange
from portal.timeutil import utcnow

log = logging.getLogger(__name__)

# What a page may watch (the pieces /live renders), at most this many at once.
_WATCH = re.compile(r"^(idea:[1-9][0-9]{0,9}|notifications|moderation|moderation-queue|triage"
                    r"|intake|inbox)$")  # fmt: skip
MAX_WATCHED = 12
_TOPIC_OF = {
    "moderation": MODERATION,
    "moderation-queue": MODERATION,
    "triage": TRIAGE,
    "intake": INTAKE,
    "inbox": INTAKE,
}


def latest_cursor() -> int:
    """The newest change's id (0 when there is none)."""
    return newest_change()[0]


# Built once: every page asks it first, and building the statement (and its cache key) each
# time cost more than running it.
_NEWEST_CHANGE = (
    select(LiveChange.id, LiveChange.created_at).order_by(LiveChange.id.desc()).limit(1)
)


def newest_change() -> tuple[int, datetime | None]:
    """The newest change's id and when it was made, (0, None) when there is none: the end
    of the primary key."""
    row = db.session.connection().execute(_NEWEST_CHANGE).first()
    return (row[0], row[1]) if row is not None else (0, None)


def page_version() -> tuple[int, datetime | None]:
    """The cursor a page is rendered at with when that change was made, read once per
    request and before the page's data, so whatever changes after the data was read has a
    larger id. The pair names what the database held even when its ids start again (a
    database emptied or restored: its times do not); pages kept per version
    (portal/ideas/views.py) are kept only when there is a change to name it by."""
    if "live_cursor" not in g:
        g.live_cursor = newest_change()
    return g.live_cursor


def page_cursor() -> int:
    """The cursor a page is rendered at (`page_version`)."""
    return page_version()[0]


def parse_watch(value: str | None) -> list[str]:
    """The pieces a page watches, in its order; anything else is dropped."""
    tokens = []
    for token in (value or "").replace(",", " ").split():
        if _WATCH.match(token) and token not in tokens:
            tokens.append(token)
    return tokens[:MAX_WATCHED]


def topic_of(piece: str, user_id: int | None) -> str | None:
    if piece.startswith("idea:"):
        return piece
    if piece == "notifications":
        return user_topic(user_id) if user_id else None
    return _TOPIC_OF.get(piece)


@dataclass
class State:
    """What the one indexed read found."""

    latest: int  # the newest change anywhere: the page's next cursor
    changed: bool  # a watched topic changed after the page's cursor
    expired: bool  # the page's cursor is older than the changes still kept


@dataclass
class Changes:
    """The watched topics that changed between two cursors, and the new comments."""

    topics: set[str] = field(default_factory=set)
    comments: dict[str, list[int]] = field(default_factory=dict)  # idea topic -> comment ids


# Newest change, oldest kept, newest change of the watched topics after the cursor: three
# index look-ups (the primary key's ends, the (topic, id) index) in one statement, written
# for the driver directly: the unchanged answer is the one /live gives most.
_CHECK_SQL = (
    "SELECT (SELECT max(id) FROM live_change), (SELECT min(id) FROM live_change), "
    "(SELECT max(id) FROM live_change WHERE topic IN ({topics}) AND id > {cursor})"
)
_MARKS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


@lru_cache(maxsize=64)
def _check_sql(paramstyle: str, count: int) -> str:
    mark = _MARKS[paramstyle]
    return _CHECK_SQL.format(topics=", ".join([mark] * count), cursor=mark)


def _expired(cursor: int, latest: int, oldest: int | None) -> bool:
    """Changes after the cursor were pruned (a page asleep for a day), or the cursor is from
    another database: what changed is unknown, so everything watched is sent again. (A page
    rendered at 0 saw an empty table: nothing of its time can have been pruned.)"""
    return cursor > latest or (cursor > 0 and oldest is not None and oldest > cursor + 1)


def check_on(connection, cursor: int, topics: list[str]) -> State:
    """Has any of these topics changed after `cursor`? One statement on `connection` (a
    SQLAlchemy Connection), index reads only."""
    sql = _check_sql(connection.dialect.paramstyle, len(topics))
    latest, oldest, newest = connection.exec_driver_sql(sql, (*topics, cursor)).one()
    latest = latest or 0
    expired = _expired(cursor, latest, oldest)
    return State(latest=latest, changed=newest is not None, expired=expired)


@dataclass(frozen=True)
class Recent:
    """The newest change id of each topic changed after `base`, as one read found them:
    enough to answer any page whose cursor is in [base, latest] as `check_on` would have at
    that read. Never changed once made (shared between threads)."""

    base: int
    latest: int
    oldest: int | None
    newest: dict[str, int]  # topic -> its newest change id, for changes after base

    def covers(self, cursor: int) -> bool:
        return self.base <= cursor <= self.latest

    def state(self, cursor: int, topics: list[str]) -> State:
        """What `check_on` would have answered at this read, for a cursor it covers."""
        newest = self.newest
        changed = any(newest.get(topic, 0) > cursor for topic in topics)
        return State(self.latest, changed, _expired(cursor, self.latest, self.oldest))


# The check above and, in the same statement (one snapshot), the newest id of each topic
# changed after `base` among the last `span` change ids: a walk of the primary key's end.
# Ids commit in order (portal/live/changes.py), so every id up to the newest is in it. (One
# lower bound, and a LIMIT never reached: SQLite then walks only those ids, not the whole
# (topic, id) index.)
_RECENT_SQL = (
    "SELECT NULL, (SELECT max(id) FROM live_change), (SELECT min(id) FROM live_change), "
    "(SELECT max(id) FROM live_change WHERE topic IN ({topics}) AND id > {m}) "
    "UNION ALL "
    "SELECT topic, max(id), NULL, NULL FROM (SELECT topic, id FROM live_change WHERE id > "
    "(SELECT CASE WHEN max(id) - {m} > {m} THEN max(id) - {m} ELSE {m} END FROM live_change) "
    "LIMIT {m}) AS recent GROUP BY topic"
)


@lru_cache(maxsize=64)
def _recent_sql(paramstyle: str, count: int) -> str:
    mark = _MARKS[paramstyle]
    return _RECENT_SQL.format(topics=", ".join([mark] * count), m=mark)


def check_recent_on(
    connection, cursor: int, topics: list[str], base: int, span: int
) -> tuple[State, Recent]:
    """`check_on`, and the newest id of each topic changed after `base` (or, if that is
    further back, in the last `span` change ids: at most `span` topics). One statement."""
    sql = _recent_sql(connection.dialect.paramstyle, len(topics))
    params = (*topics, cursor, span, base, span, base, span)
    latest = oldest = found = None
    newest = {}
    for topic, value, first, watched in connection.exec_driver_sql(sql, params):
        if topic is None:
            latest, oldest, found = value or 0, first, watched
        else:
            newest[topic] = value
    state = State(latest, changed=found is not None, expired=_expired(cursor, latest, oldest))
    base = max(base, latest - span)
    return state, Recent(base=base, latest=latest, oldest=oldest, newest=newest)


def check(cursor: int, topics: list[str]) -> State:
    """`check_on` the request's session connection."""
    return check_on(db.session.connection(), cursor, topics)


def changes_between(cursor: int, latest: int, topics: list[str]) -> Changes:
    """Which watched topics changed in (cursor, latest], and the new comments, oldest first."""
    rows = db.session.execute(
        select(LiveChange.topic, LiveChange.comment_id)
        .where(LiveChange.topic.in_(topics), LiveChange.id > cursor, LiveChange.id <= latest)
        .order_by(LiveChange.id)
    )
    found = Changes()
    for topic, comment_id in rows:
        found.topics.add(topic)
        if comment_id is not None:
            found.comments.setdefault(topic, []).append(comment_id)
    return found


def prune(now=None) -> int:
    """Forget changes older than LIVE_KEEP_HOURS (a page that slept longer is sent all it
    watches again). The newest row is always kept: the cursor never goes back."""
    hours = current_app.config.get("LIVE_KEEP_HOURS", 24)
    cutoff = (now or utcnow()) - timedelta(hours=hours)
    with writing():
        # Walks the primary key from the oldest row: as many rows as it then deletes.
        first_kept = (
            db.session.scalar(
                select(LiveChange.id)
                .where(LiveChange.created_at >= cutoff)
                .order_by(LiveChange.id)
                .limit(1)
            )
            or latest_cursor()
        )
        done = db.session.execute(delete(LiveChange).where(LiveChange.id < first_kept)).rowcount
        db.session.commit()
    if done:
        log.info("pruned %s live changes older than %s hours", done, hours)
    return done


def live_topics(pieces: list[str], user_id: int | None) -> list[str]:
    """The topics behind the watched pieces (a person's own notifications only)."""
    topics = []
    for piece in pieces:
        topic = topic_of(piece, user_id)
        if topic is not None and topic not in topics:
            topics.append(topic)
    return topics
