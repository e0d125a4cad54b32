"""Moderation: flags, the review queue, actions with reasons, appeals, the public log."""
