"""GET /live: what changed on an open page since it last asked (SPEC 14).

`/live?cursor=N&watch=idea:42+notifications&page=/ideas/42` answers 204, with no body, when
nothing the page watches changed after cursor N: one indexed read, no template, no session
written, the viewer not even loaded (their notifications are named by the id in their signed
session). `X-Live-Cursor` then carries the newest cursor, so the page's next question starts
there. That answer is usually given before Flask (portal/live/shortcut.py); this view gives
it too, when the shortcut passes a question on.

When something changed, the pieces the page watches are rendered for the viewer, as the
page itself renders them (same templates, same `access` rules, same context builders),
as htmx out-of-band swaps; what the viewer may not see is not rendered at all, and if that
leaves nothing, the answer is 204 too.
"""

from urllib.parse import parse_qsl, urlsplit

from flask import Blueprint, current_app, g, request, session
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from portal.accounts.service import session_user_ident
from portal.extensions import limiter
from portal.live import pieces, service
from portal.responses import safe_next

bp = Blueprint("live", __name__)

CURSOR_HEADER = "X-Live-Cursor"


def parse_cursor(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 19 else 0


def _answer(body: str, cursor: int, latest: int):
    response = current_app.response_class(body, status=200 if body else 204)
    if latest != cursor:
        response.headers[CURSOR_HEADER] = str(latest)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/live")
@limiter.exempt
def poll():
    cursor = parse_cursor(request.args.get("cursor"))
    watched = service.parse_watch(request.args.get("watch"))
    # Pieces the page could not swap in while someone was typing in them: sent again whole.
    refresh = [p for p in service.parse_watch(request.args.get("refresh")) if p in watched]
    user_id = session_user_ident(session.get("_user_id"))
    topics = service.live_topics(watched, user_id)
    if not topics:
        return _answer("", cursor, cursor)
    state = service.check(cursor, topics)
    if not (state.changed or state.expired or refresh):
        return _answer("", cursor, state.latest)
    changes = service.changes_between(cursor, state.latest, topics)
    g.live_page = safe_next(request.args.get("page"), "/")
    page_args = MultiDict(parse_qsl(urlsplit(g.live_page).query))
    body = pieces.render(
        current_user, watched, changes, refresh=refresh, everything=state.expired,
        page_args=page_args, user_id=user_id,
    )  # fmt: skip
    return _answer(body, cursor, state.latest)
