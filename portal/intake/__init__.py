"""Intake: conversations from e-mail, the API and the widget become routed messages (SPEC 12)."""
