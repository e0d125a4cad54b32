"""The Whoosh backend: one index under the instance folder, one writer at a time.

A process keeps its searcher open and refreshes it when the index changed (opening one
costs ~40 ms at 100,000 documents; a kept one answers in ~1 ms). Writes happen only in
`write`, called by the indexer while it holds the writer lock file.
"""

import hashlib
import os
import threading
import time

from whoosh import index, query, sorting
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import BOOLEAN, DATETIME, ID, NUMERIC, STORED, TEXT, Schema
from whoosh.qparser import AndGroup, MultifieldParser, OrGroup, QueryParser, plugins

from portal import access
from portal.ideas.models import AUDIENCES
from portal.search.documents import Document
from portal.search.querying import FILTER_FIELDS, Scope, SearchHit, SearchRequest, SearchResult

SCHEMA = Schema(
    key=ID(unique=True, stored=True),
    digest=STORED(),
    type=ID(stored=True, sortable=True),
    id=NUMERIC(int, bits=64, stored=True),
    idea_id=NUMERIC(int, bits=64, stored=True),
    title=TEXT(analyzer=StemmingAnalyzer(), field_boost=2.0),
    body=TEXT(analyzer=StemmingAnalyzer()),
    category=ID(sortable=True),
    status=ID(sortable=True),
    kind=ID(sortable=True),
    audience=ID(),
    confidential=BOOLEAN(),
    organization=ID(),
    hidden=BOOLEAN(),
    votes=NUMERIC(int, bits=64, sortable=True),
    created=DATETIME(sortable=True),
)


def digest(document: Document) -> str:
    """A fingerprint of everything indexed, so `verify` sees stale or altered documents."""
    parts = [str(value) for value in document.fields().values()]
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:16]


def invisibility_mask(scope: Scope):
    """What `scope` may NOT see, as a query (None: sees everything).

    Used as a mask rather than a filter: the hidden part of a portal is small, so the set
    of documents to leave out is small and cheap to build, while a filter of everything
    visible would be most of the index, rebuilt in pure Python on every query.
    """
    if scope.include_hidden and scope.confidential == "all" and len(scope.audiences) == 3:
        return None
    excluded = [query.Term("audience", a) for a in AUDIENCES if a not in scope.audiences]
    if scope.confidential == "none":
        excluded.append(query.Term("confidential", True))
    elif scope.confidential != "all":
        excluded.append(
            query.And(
                [
                    query.Term("confidential", True),
                    query.Not(query.Term("organization", scope.confidential)),
                ]
            )  # fmt: skip
        )
    if not scope.include_hidden:
        excluded.append(query.Term("hidden", True))
    return query.Or(excluded) if excluded else None


class WhooshBackend:
    name = "whoosh"

    def __init__(self, directory: str, refresh_seconds: float = 1.0):
        self.directory = directory
        self.refresh_seconds = refresh_seconds
        self._lock = threading.Lock()
        self._index = None
        self._searcher = None
        self._checked_at = 0.0
        # Per kind of viewer, the documents they may not see, for the current searcher.
        self._masks: dict = {}

    # -- writing (only under the indexer's writer lock) --------------------------------------

    def _open(self, create: bool = False):
        os.makedirs(self.directory, exist_ok=True)
        if create or not index.exists_in(self.directory):
            self._index = index.create_in(self.directory, SCHEMA)
        elif self._index is None:
            self._index = index.open_dir(self.directory)
        return self._index

    def write(self, documents: list[Document], remove: set[str]) -> None:
        writer = self._open().writer(timeout=30.0)
        try:
            # One searcher for all deletions: update_document would open one per document.
            with writer.searcher() as searcher:
                for key in remove | {document.key for document in documents}:
                    writer.delete_by_term("key", key, searcher=searcher)
            for document in documents:
                writer.add_document(digest=digest(document), **document.fields())
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def clear(self) -> None:
        with self._lock:
            self._close_searcher()
            self._open(create=True)

    def bulk_writer(self):
        """A writer for rebuilds: more memory, one commit at the end."""
        return self._open().writer(timeout=30.0, limitmb=256)

    # -- reading -------------------------------------------------------------------------------

    def _mask(self, searcher, scope: Scope):
        """The documents `scope` may not see, computed once per searcher and kind of viewer."""
        key = (scope.audiences, scope.confidential, scope.include_hidden)
        if key not in self._masks:
            mask = invisibility_mask(scope)
            self._masks[key] = searcher.docs_for_query(mask) if mask is not None else None
            if self._masks[key] is not None:
                self._masks[key] = set(self._masks[key])
        return self._masks[key]

    def _close_searcher(self) -> None:
        self._masks = {}
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    def _current_searcher(self):
        """The kept searcher, reopened when the index changed (checked at most once a second).

        Not `Searcher.refresh()`: whoosh-reloaded 2.7.5 reuses a segment's old reader after
        documents in it were deleted, so replaced documents showed up twice.
        """
        now = time.monotonic()
        if self._searcher is not None and now - self._checked_at >= self.refresh_seconds:
            self._checked_at = now
            if not self._searcher.up_to_date():
                self._close_searcher()
        if self._searcher is None:
            self._searcher = self._open().searcher()
            self._checked_at = now
        return self._searcher

    def _text_query(self, request: SearchRequest):
        """All words must match (title or body); the last typed word also as a prefix."""
        group = OrGroup if request.match_any else AndGroup
        parser = MultifieldParser(["title", "body"], SCHEMA, group=group)
        # Words only: no wildcards, ranges, boosts, operators or field syntax from users.
        for plugin in (
            plugins.WildcardPlugin,
            plugins.FieldsPlugin,
            plugins.RangePlugin,
            plugins.BoostPlugin,
            plugins.OperatorsPlugin,
            plugins.PhrasePlugin,
        ):
            parser.remove_plugin_class(plugin)  # fmt: skip
        parts = []
        words = request.words
        prefix = request.prefix
        plain = words[:-1] if prefix else words
        if plain:
            parts.append(parser.parse(" ".join(plain)))
        if prefix:
            parts.append(
                query.Or(
                    [
                        parser.parse(words[-1]),
                        query.Prefix("title", prefix),
                        query.Prefix("body", prefix),
                    ]
                )  # fmt: skip
            )
        for phrase in request.phrases:
            phrase_words = [w.lower() for w in phrase.split() if w.strip()]
            parts.append(
                query.Or(
                    [
                        QueryParser(f, SCHEMA).parse(f'"{" ".join(phrase_words)}"')
                        for f in ("title", "body")
                    ]
                )  # fmt: skip
            )
        parts = [p for p in parts if p is not query.NullQuery]
        if not parts:
            return query.Every()
        return (query.Or if request.match_any else query.And)(parts)

    def search(self, request: SearchRequest, user) -> SearchResult:
        """One page of hits, the total and the facet counts, all within what `user` may see."""
        scope = access.search_scope(user)
        q = self._text_query(request)
        filters = [query.Term(name, value) for name, value in request.filters.items()]
        if filters:
            q = query.And([q, *filters])
        facets = sorting.Facets()
        for name in FILTER_FIELDS:
            facets.add_field(name, maptype=sorting.Count)
        sortedby, reverse = {
            "votes": ("votes", True),
            "newest": ("created", True),
        }.get(request.order, (None, False))
        offset = (request.page - 1) * request.per_page
        with self._lock:
            searcher = self._current_searcher()
            results = searcher.search(
                q,
                limit=offset + request.per_page,
                mask=self._mask(searcher, scope),
                groupedby=facets,
                sortedby=sortedby,
                reverse=reverse,
            )
            facet_counts = {
                name: {str(k): v for k, v in results.groups(name).items() if k not in (None, "")}
                for name in FILTER_FIELDS
            }
            hits = [
                SearchHit(hit["type"], hit["id"], hit["idea_id"], float(hit.score or 0))
                for hit in results[offset : offset + request.per_page]
            ]
            total = len(results)
        return SearchResult(hits=hits, total=total, facets=facet_counts)

    def stored(self) -> dict[str, str]:
        """Every key in the index with its digest (for verify)."""
        with self._lock:
            searcher = self._current_searcher()
            return {f["key"]: f.get("digest", "") for f in searcher.all_stored_fields()}

    def close(self) -> None:
        with self._lock:
            self._close_searcher()
            self._index = None
