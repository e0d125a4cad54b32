"""Binding search to the app: the configured backend, its indexer, rebuild and verify."""

import os

import click
from flask import Flask, current_app

from portal.search import tasks  # noqa: F401  (records index work on every flush)
from portal.search.documents import all_documents, count_expected
from portal.search.indexer import indexer as make_indexer
from portal.search.models import SearchTask  # noqa: F401  (the queue table)


def init_search(app: Flask) -> None:
    name = app.config.get("SEARCH_BACKEND", "whoosh")
    directory = app.config["SEARCH_INDEX_DIR"]
    if name == "postgres":
        from portal.search.postgres_backend import PostgresBackend

        backend = PostgresBackend()
    elif name == "whoosh":
        from portal.search.whoosh_backend import WhooshBackend

        backend = WhooshBackend(directory, app.config.get("SEARCH_REFRESH_SECONDS", 1.0))
    else:
        raise RuntimeError(f"SEARCH_BACKEND={name!r} is not 'whoosh' or 'postgres'")
    indexer = make_indexer(app, backend, os.path.join(directory, "writer.lock"))
    app.extensions["search_backend"] = backend
    app.extensions["search_indexer"] = indexer

    @app.before_request
    def _start_search_writer():
        indexer.ensure_running()


def rebuild(progress=True) -> int:
    """Rebuild the whole index from the database, under the writer lock."""
    backend = current_app.extensions["search_backend"]
    indexer = current_app.extensions["search_indexer"]
    if backend.name == "postgres":
        indexer.drain(wait=True)
        return 0
    written = 0
    with indexer.lock(wait=True):
        backend.clear()
        writer = backend.bulk_writer()
        total = count_expected()
        from portal.search.whoosh_backend import abandon, index_fields

        try:
            with click.progressbar(
                length=total, label="Indexing", show_pos=True, hidden=not progress
            ) as bar:
                for document in all_documents():
                    writer.add_document(**index_fields(document))
                    written += 1
                    bar.update(1)
            writer.commit()
        except BaseException:
            abandon(writer)
            raise
        backend.close()
    indexer.drain(wait=True)
    return written


def verify() -> list[str]:
    """Differences between the index and the database (an empty list when there are none)."""
    backend = current_app.extensions["search_backend"]
    indexer = current_app.extensions["search_indexer"]
    if backend.name == "postgres":
        indexer.drain(wait=True)
        return []  # the PostgreSQL backend searches the tables themselves
    problems = backend.schema_problems()
    if problems:
        return problems
    indexer.drain(wait=True)
    stored = backend.stored()
    from portal.search.whoosh_backend import digest

    expected = {document.key: digest(document) for document in all_documents()}
    problems = [f"missing from the index: {key}" for key in sorted(expected.keys() - stored)]
    extra = sorted(stored.keys() - expected.keys())
    problems += [f"in the index but not the database: {key}" for key in extra]
    problems += [
        f"out of date in the index: {key}"
        for key in sorted(expected.keys() & stored.keys())
        if expected[key] != stored[key]
    ]
    return problems
