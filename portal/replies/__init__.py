"""Saved replies: a team's canned answers that staff insert while answering."""
