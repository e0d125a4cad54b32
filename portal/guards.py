"""One way to guard a route, and one unit of work per request.

`@guard(...)` is the only route guard, for pages and the API alike: the route needs a
signed-in person (pages send a visitor to the sign-in page, the API answers 401) and, given a
refusal function of `portal.access`, someone it lets through (403 with its reason). What may
be done to one object in its state is asked of `access` by the service, not here.

The unit of work: a view that changes something (any method but GET, HEAD, OPTIONS) is
committed when it returns an answer below 400 and rolled back otherwise, so views never
commit themselves, and a refused or failed request leaves nothing half-written. A view may
instead return `after_commit(render)`: the unit commits first and renders the answer after,
reading, so that neither SQLite's write lock nor PostgreSQL's row locks are held while an
htmx answer (a vote button, a discussion) is rendered.
"""

from functools import wraps

from flask import Flask, current_app, request

from portal.database import READ_METHODS, commit_keeping_loaded, end_reading, reading
from portal.errors import Forbidden, Unauthorized
from portal.extensions import db, login_manager
from portal.ratelimits import acting_user


def guard(refusal_of=None):
    """Decorator: a signed-in person whom `refusal_of(user)` (from portal.access) refuses
    nothing; the route answers 401 / the sign-in page, or 403 with the refusal otherwise."""

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            user = acting_user()
            if not user.is_authenticated:
                if request.path.startswith("/api/"):
                    raise Unauthorized("Sign in with a token: Authorization: Bearer <token>.")
                return login_manager.unauthorized()
            refusal = refusal_of(user) if refusal_of is not None else None
            if refusal:
                raise Forbidden(str(refusal))
            return view(*args, **kwargs)

        return guarded

    return decorate


class AfterCommit:
    """A write's answer, rendered once the write is committed (`after_commit`)."""

    def __init__(self, render):
        self.render = render


def after_commit(render) -> AfterCommit:
    """The answer `render()` gives, made after the request's changes are committed, in a
    transaction of its own that only reads. What the request loaded keeps the values it
    had at the commit (nothing is read again just to show it), which is what rendering
    before the commit showed."""
    return AfterCommit(render)


def _committed_then_rendered(answer: AfterCommit):
    commit_keeping_loaded()
    with reading():
        return current_app.make_response(answer.render())


def _unit_of_work(view):
    @wraps(view)
    def unit(*args, **kwargs):
        answer = view(*args, **kwargs)
        if isinstance(answer, AfterCommit) and request.method not in READ_METHODS:
            return _committed_then_rendered(answer)
        if isinstance(answer, AfterCommit):
            answer = answer.render()
        response = current_app.make_response(answer)
        if request.method not in READ_METHODS:
            if response.status_code < 400:
                db.session.commit()
            else:
                db.session.rollback()
        elif not response.is_streamed:
            end_reading()  # COMMIT, not ROLLBACK: PostgreSQL keeps its prepared plans
        return response

    return unit


def init_unit_of_work(app: Flask) -> None:
    """Wrap every view (after the blueprints are registered) in the unit of work."""
    for endpoint, view in list(app.view_functions.items()):
        if endpoint != "static":
            app.view_functions[endpoint] = _unit_of_work(view)
