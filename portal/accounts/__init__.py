"""Accounts: users, organizations, teams, sign-in and API tokens."""
