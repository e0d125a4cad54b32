"""Atom feeds of the idea list, one idea's answers and the changelog (SPEC 16)."""
