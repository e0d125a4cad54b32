"""Full-text search: one interface, a Whoosh backend (default) and a PostgreSQL one.

What must be indexed is recorded as `SearchTask` rows in the same transaction as the change
(see `tasks.py`); one writer at a time drains them (`indexer.py`), so no change is lost when
several processes write at once, and a failed index write is simply retried.
"""
