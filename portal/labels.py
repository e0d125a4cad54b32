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
