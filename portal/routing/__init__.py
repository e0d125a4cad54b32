"""Routing rules, team assignment, business hours, answer targets and responsiveness (SPEC 13)."""
