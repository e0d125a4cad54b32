"""The pieces of a page /live renders, each by the page's own template and context builder.

Every piece asks `access` what its page asks: an idea's pieces need the idea to be readable
by the viewer now (not merged, not hidden from them, not moved out of their sight), the
queue needs a moderator, triage and the inbox staff. A piece the viewer may not see is
left out; a piece is rendered whole as of now, so nothing it shows is older than the rules.
"""

from flask import current_app

from portal import access
from portal.extensions import db
from portal.ideas import discussion
from portal.ideas import service as ideas
from portal.ideas.models import Idea
from portal.intake import views as intake_views
from portal.live.service import Changes, topic_of
from portal.moderation import service as moderation
from portal.moderation import views as moderation_views
from portal.tracking import staff_views


def _idea_context(viewer, idea_id: int, comment_ids: list[int], everything: bool) -> dict | None:
    """The idea page's live pieces: its vote button, meta line, status note, comment count,
    and the comments written since (in order), for whoever may read the idea now."""
    idea = db.session.get(Idea, idea_id) if idea_id < 2**31 else None
    if (
        idea is None
        or idea.merged_into_id is not None
        or not access.can_see_idea(viewer, idea)
        or not access.can_read(viewer, idea)
    ):
        return None
    if everything:
        comments = discussion.comments_for(idea)
    else:
        comments = discussion.comments_among(idea, comment_ids)
    official, _threads = discussion.thread(comments)
    return {
        "idea": idea,
        "voted": ideas.has_voted(viewer, idea),
        "history": ideas.status_history(idea),
        "pinned_comments": official,
        "new_comments": comments,
        "appealed": moderation.appealed_targets(idea, comments),
    }


def _piece(viewer, piece: str, changes: Changes, everything: bool, page_args):
    """(template, context) of one watched piece, or None when the viewer may not see it."""
    if piece.startswith("idea:"):
        comment_ids = changes.comments.get(piece, [])
        context = _idea_context(viewer, int(piece.partition(":")[2]), comment_ids, everything)
        return ("live/_idea.html", context) if context else None
    # The header's badges: their counts come from the context processor, as on every page.
    if piece == "notifications" and access.signed_in(viewer):
        return "notify/_badge.html", {"oob": True}
    if piece == "moderation" and access.can_moderate(viewer):
        return "moderation/_badge.html", {"oob": True}
    if piece == "intake" and access.can_see_intake(viewer):
        return "intake/_badge.html", {"oob": True}
    # Lists, under the guard of their page, for the page (and filters) the viewer is on.
    if piece == "moderation-queue" and not access.moderation_refusal(viewer):
        return "moderation/_queue.html", moderation_views.queue_context(page_args) | {"oob": True}
    if piece == "triage" and not access.staff_area_refusal(viewer):
        return "staff/_triage.html", staff_views.triage_context() | {"oob": True}
    if piece == "inbox" and not access.intake_refusal(viewer):
        return "intake/_inbox_list.html", intake_views.inbox_context(page_args) | {"oob": True}
    return None


def render(viewer, watched, changes: Changes, *, refresh, everything, page_args, user_id) -> str:
    """The out-of-band swaps for the watched pieces that changed (or all, `everything`)."""
    # The context processors (the viewer, the badges' counts) run once for all pieces.
    base: dict = {}
    current_app.update_template_context(base)
    html = []
    for piece in watched:
        if not (everything or piece in refresh or topic_of(piece, user_id) in changes.topics):
            continue
        found = _piece(viewer, piece, changes, everything, page_args)
        if found is not None:
            template, context = found
            html.append(current_app.jinja_env.get_template(template).render(base | context))
    return "".join(html).strip()
