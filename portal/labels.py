"""What statuses, kinds, audiences and moderation's fixed wording are called on pages and in forms.

Lazy strings: each renders in the reader's language when it is shown (SPEC 16). They are
for people only; the API and stored data keep the machine values (the keys). Where plain
text is needed (str.join, JSON), convert with str() inside the request.
"""

import re

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

STATUS_LABELS = {
    "open": _l("Open"),
    "under_review": _l("Under review"),
    "planned": _l("Planned"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
    "declined": _l("Declined"),
    "duplicate": _l("Duplicate"),
}
KIND_LABELS = {
    "idea": _l("Idea"),
    "improvement": _l("Improvement"),
    "problem": _l("Problem"),
    "praise": _l("Praise"),
    "question": _l("Question"),
}
AUDIENCE_LABELS = {
    "public": _l("Public"),
    "customers": _l("Customers only"),
    "suppliers": _l("Suppliers only"),
}
# An improvement item's place on the roadmap (its idea's page says it too).
ITEM_STATUS_LABELS = {
    "planned": _l("Planned"),
    "in_progress": _l("In progress"),
    "shipped": _l("Shipped"),
    "dropped": _l("Dropped"),
}
# Who someone is on the portal (account page, person pages, moderation and admin pages).
PERSON_KIND_LABELS = {
    "customer": _l("Customer"),
    "supplier": _l("Supplier"),
    "staff": _l("Staff"),
}
ROLE_LABELS = {
    "member": _l("Member"),
    "moderator": _l("Moderator"),
    "admin": _l("Admin"),
}
# What a notification is about (the notification centre's badges).
NOTIFICATION_LABELS = {
    "status_changed": _l("Status changed"),
    "official_response": _l("Official response"),
    "reply": _l("Reply"),
    "mention": _l("Mention"),
    "moderated": _l("Moderation"),
    "item_shipped": _l("Shipped"),
    "assigned": _l("Assigned to you"),
    "answer_due": _l("Answer due"),
    "answer_overdue": _l("Answer overdue"),
    "supplier_approved": _l("Your account"),
    "supplier_rejected": _l("Your account"),
}
# Who an account is and what it may do, as pages name them in a sentence ("supplier").
USER_KIND_LABELS = {"customer": _l("customer"), "supplier": _l("supplier"), "staff": _l("staff")}
USER_ROLE_LABELS = {"member": _l("member"), "moderator": _l("moderator"), "admin": _l("admin")}
# Why someone flagged something (the flag form's choices, the review queue).
FLAG_REASON_LABELS = {
    "spam": _l("Spam"),
    "abuse": _l("Abusive or offensive"),
    "off_topic": _l("Off topic"),
    "duplicate": _l("Duplicate of another idea"),
    "other": _l("Something else"),
}
# What a moderator can do (the action form's choices, "Done: Hide on idea #3").
MODERATION_ACTION_LABELS = {
    "dismiss": _l("Dismiss the flags"),
    "hide": _l("Hide"),
    "restore": _l("Restore"),
    "lock": _l("Lock (no more votes or comments)"),
    "unlock": _l("Unlock"),
    "merge": _l("Merge into another idea"),
    "suspend": _l("Suspend the user"),
    "unsuspend": _l("Lift the suspension"),
    "edit": _l("Edit"),
    "delete": _l("Remove (a moderator's delete)"),
}
# What moderation acts on, as "idea #3".
MODERATION_TARGET_LABELS = {"idea": _l("idea"), "comment": _l("comment"), "user": _l("user")}
# What a moderation action did, as the public moderation log says it ("Hid" idea …).
MODERATION_LOG_LABELS = {
    "dismiss": _l("Dismissed flags on"),
    "hide": _l("Hid"),
    "restore": _l("Restored"),
    "lock": _l("Locked"),
    "unlock": _l("Unlocked"),
    "merge": _l("Merged"),
    "suspend": _l("Suspended"),
    "unsuspend": _l("Lifted the suspension of"),
    "edit": _l("Edited"),
    "delete": _l("Removed"),
}
# The reason the portal itself writes when enough people flag something (stored in English,
# as portal.moderation.service.HOLD_REASON says it); moderators' reasons are shown as typed.
_AUTOMATIC_HOLD = re.compile(r"Held for review: flagged by (\d+) people\.")


def moderation_reason(text: str | None) -> str:
    """A moderation reason in the reader's language when the portal wrote it, else as typed."""
    held = _AUTOMATIC_HOLD.fullmatch(text or "")
    if held:
        count = int(held.group(1))
        return ngettext(
            "Held for review: flagged by %(num)s person.",
            "Held for review: flagged by %(num)s people.",
            count,
        )
    return text or ""
