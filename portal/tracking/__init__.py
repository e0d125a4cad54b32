"""Tracking: improvement items promoted from ideas, triage, roadmap, changelog, dashboard."""
