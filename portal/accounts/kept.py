"""Signed-in accounts kept per worker while nothing has changed.

Every signed-in page read its account (a statement with the organization joined, and its
ORM load) although the same worker had read the same row a moment before. Every UPDATE or
DELETE of a `user` or an `organization` row writes a change row in its own transaction
(portal/live/changes.py), so an account read at change version V is still the account at
V: a page that reads V (as every page does, before its data) may take the columns read
then instead of asking again. A password change, a suspension, a role, an erasure all
write the row and move the version, whether the ORM, Core or text() wrote it through the
session (portal/live/changes.py reads the SQL of every statement). Each entry also ages out
after ACCOUNT_KEPT_SECONDS (5), a bound for rows edited where no change row is written (by
hand in psql, by a migration). Writes read the account in their own transaction
(portal/accounts/service.py).

What is kept is the loaded columns, never an instance: a request gets an instance of its
own, in its session as if loaded there, so nothing one request changes (and perhaps rolls
back) reaches another.
"""

import time
from collections import OrderedDict
from threading import Lock

from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from portal.accounts.models import Organization, User

_COLUMNS = {cls: tuple(a.key for a in cls.__mapper__.column_attrs) for cls in (User, Organization)}


def _columns_of(obj) -> dict:
    # Only what the load gave: an expired or deferred column is not read here.
    loaded = obj.__dict__
    return {key: loaded[key] for key in _COLUMNS[type(obj)] if key in loaded}


def _placed(session: Session, cls, columns: dict, **related):
    """An instance of `cls` with these columns (and related objects), in `session` as if a
    query had loaded it, with no statement; what was not kept loads on first use, as an
    expired attribute would."""
    key = identity_key(cls, columns["id"])
    if key in session.identity_map:
        return session.identity_map[key]
    obj = cls.__mapper__.class_manager.new_instance()
    for name, value in {**columns, **related}.items():
        set_committed_value(obj, name, value)
    make_transient_to_detached(obj)
    session.add(obj)
    return obj


class KeptAccounts:
    """Per worker: user id -> (change version, seconds when read, user's and organization's
    columns), the least recently used first to go when full."""

    def __init__(self, entries: int, seconds: float):
        self._entries = entries
        self._seconds = seconds
        self._kept: OrderedDict = OrderedDict()
        self._lock = Lock()

    def keep(self, version, user: User) -> None:
        if self._entries <= 0 or self._seconds <= 0 or version[1] is None:
            return  # no change names the state yet: nothing to key it by
        organization = user.__dict__.get("organization")
        if user.organization_id is not None and organization is None:
            return  # not loaded with it (it always is, `lazy="joined"`): not kept
        entry = (
            version,
            time.monotonic(),
            _columns_of(user),
            _columns_of(organization) if organization is not None else None,
        )
        with self._lock:
            self._kept[user.id] = entry
            self._kept.move_to_end(user.id)
            while len(self._kept) > self._entries:
                self._kept.popitem(last=False)

    def find(self, session: Session, user_id: int, version) -> User | None:
        """The account as read at `version`, placed in `session`; None if not kept then."""
        with self._lock:
            entry = self._kept.get(user_id)
            if entry is not None:
                self._kept.move_to_end(user_id)
        if entry is None or entry[0] != version:
            return None
        if time.monotonic() - entry[1] > self._seconds:
            return None
        _, _, user_columns, organization_columns = entry
        organization = None
        if organization_columns is not None:
            organization = _placed(session, Organization, organization_columns)
        return _placed(session, User, user_columns, organization=organization)
