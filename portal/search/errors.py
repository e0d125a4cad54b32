"""Errors of the search backends."""


class IndexOutOfDate(RuntimeError):
    """The index on disk was written with another schema; it must be rebuilt first."""
