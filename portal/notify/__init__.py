"""Notifications: in-app, e-mail through the outbox, webhooks."""
