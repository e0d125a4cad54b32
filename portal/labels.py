"""What statuses, kinds and audiences are called on pages and in forms."""

STATUS_LABELS = {
    "open": "Open",
    "under_review": "Under review",
    "planned": "Planned",
    "in_progress": "In progress",
    "done": "Done",
    "declined": "Declined",
    "duplicate": "Duplicate",
}
KIND_LABELS = {
    "idea": "Idea",
    "improvement": "Improvement",
    "problem": "Problem",
    "praise": "Praise",
    "question": "Question",
}
AUDIENCE_LABELS = {"public": "Public", "customers": "Customers only", "suppliers": "Suppliers only"}
