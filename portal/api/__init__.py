"""JSON API v1: bearer-token auth, the SPEC's error format, the same services as the pages."""
