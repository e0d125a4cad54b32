"""What statuses, kinds and audiences are called on pages and in forms.

Lazy strings: each renders in the reader's language when it is shown (SPEC 16). They are
for people only; the API and stored data keep the machine values (the keys). Where plain
text is needed (str.join, JSON), convert with str() inside the request.
"""

from flask_babel import lazy_gettext as _l

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
