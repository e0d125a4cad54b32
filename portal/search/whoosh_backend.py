"""The Whoosh backend: one index under the instance folder, one writer at a time.

A process keeps its index reader open and reopens it when the index changed (checked at
most once a second). Queries are answered by `whoosh_engine` over whole posting lists and
column arrays, cached per segment. Writes happen only in `write`, called by the indexer
while it holds the writer lock file.
"""

import contextlib
import hashlib
import os
import threading
import time
from datetime import datetime, timedelta

from whoosh import index
from whoosh.analysis import Filter, StemmingAnalyzer
from whoosh.columns import NumericColumn, RefBytesColumn
from whoosh.fields import COLUMN, ID, STORED, TEXT, Schema

from portal import access
from portal.search.documents import Document
from portal.search.errors import IndexOutOfDate
from portal.search.querying import SearchHit, SearchRequest, SearchResult
from portal.search.whoosh_engine import PHRASE_FIELD, TEXT_FIELDS, Engine, Query


class WordPairs(Filter):
    """Each two adjacent stems as one term ("door seal"): a phrase is then a few term
    look-ups, not a walk over word positions.

    Whoosh's own `BiWordFilter` does this but raises on a text without words (a title of
    stop words only), and emits a lone word as a pair.
    """

    def __call__(self, tokens):
        previous = None
        for token in tokens:
            text = token.text
            if previous is not None:
                token.text = f"{previous} {text}"
                yield token
            previous = text


ANALYZER = StemmingAnalyzer()
PAIRS_ANALYZER = StemmingAnalyzer() | WordPairs()


def _values():
    """A column of a few distinct values (one byte a document): facets, filters, visibility."""
    return COLUMN(RefBytesColumn())


def _number():
    return COLUMN(NumericColumn("q"))


# Only the words are indexed (and `key`, to replace a document). Everything a query filters,
# counts or orders by is a column: read whole by the engine, and cheap to write (an indexed
# ID or NUMERIC field costs postings for every document, 16 terms a number).
SCHEMA = Schema(
    key=ID(unique=True, stored=True),
    digest=STORED(),
    id=_number(),
    idea_id=_number(),
    # No positions: phrases are answered from `pairs`, snippets from the database text.
    title=TEXT(analyzer=ANALYZER, phrase=False),
    body=TEXT(analyzer=ANALYZER, phrase=False),
    pairs=TEXT(analyzer=PAIRS_ANALYZER, phrase=False),
    type=_values(),
    category=_values(),
    status=_values(),
    kind=_values(),
    audience=_values(),
    confidential=_values(),
    organization=_values(),
    hidden=_values(),
    votes=_number(),
    created=_number(),
)
_EPOCH = datetime(1970, 1, 1)
VALUE_COLUMNS = ("type", "category", "status", "kind", "audience", "organization")


def signature(schema) -> set:
    """Each field's name, type and column type: what an index must share with SCHEMA."""
    return {
        (name, type(field).__name__, type(getattr(field, "column_type", None)).__name__)
        for name, field in schema.items()
    }


def digest(document: Document) -> str:
    """A fingerprint of everything indexed, so `verify` sees stale or altered documents."""
    parts = [str(value) for value in document.fields().values()]
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:16]


def index_fields(document: Document) -> dict:
    """What Whoosh keeps of a document: words, a pairs field for phrases, columns."""
    created = document.created.replace(tzinfo=None)
    fields = {
        "key": document.key,
        "digest": digest(document),
        "id": int(document.id),
        "idea_id": int(document.idea_id),
        "title": document.title,
        "body": document.body,
        PHRASE_FIELD: f"{document.title}\n{document.body}",
        "confidential": b"true" if document.confidential else b"false",
        "hidden": b"true" if document.hidden else b"false",
        "votes": int(document.votes),
        "created": (created - _EPOCH) // timedelta(microseconds=1),
    }
    for name in VALUE_COLUMNS:
        fields[name] = str(getattr(document, name) or "").encode()
    return fields


def _stems(text: str) -> list[str]:
    return [token.text for token in ANALYZER(text)]


def parse_query(request: SearchRequest) -> Query:
    """Every word (stemmed) in the title or the body; the last typed word also as a prefix.

    Words only: no wildcards, ranges, boosts, operators or field syntax from users.
    """
    groups = []
    words = request.words
    prefix = request.prefix
    for word in words[:-1] if prefix else words:
        for stem in _stems(word):
            groups.append([(field, stem, False) for field in TEXT_FIELDS])
    if prefix:
        alternatives = [(field, stem, False) for stem in _stems(words[-1]) for field in TEXT_FIELDS]
        alternatives += [(field, prefix, True) for field in TEXT_FIELDS]
        groups.append(alternatives)
    phrases = []
    for phrase in request.phrases:
        pairs = [token.text for token in PAIRS_ANALYZER(phrase)]
        if pairs:  # a one-word phrase is just its word, already required above
            phrases.append(pairs)
    return Query(groups=groups, phrases=phrases, filters=dict(request.filters),
                 match_any=request.match_any)  # fmt: skip


def abandon(writer) -> None:
    """Give a writer up in whatever state it is, so the index's write lock is released.

    A commit that raises halfway leaves Whoosh's lock held: every later write would wait
    for it and fail.
    """
    try:
        writer.cancel()
    except Exception:
        lock = getattr(writer, "writelock", None)
        if lock is not None:
            with contextlib.suppress(Exception):
                lock.release()


class WhooshBackend:
    name = "whoosh"

    def __init__(self, directory: str, refresh_seconds: float = 1.0):
        self.directory = directory
        self.refresh_seconds = refresh_seconds
        self._lock = threading.Lock()
        self._index = None
        self._reader = None
        self._engine: Engine | None = None
        self._checked_at = 0.0
        # segment id -> what the engine read from it; kept across reopens.
        self._segments: dict = {}

    # -- writing (only under the indexer's writer lock) --------------------------------------

    def _open(self, create: bool = False):
        os.makedirs(self.directory, exist_ok=True)
        if create or not index.exists_in(self.directory):
            self._index = index.create_in(self.directory, SCHEMA)
        elif self._index is None:
            self._index = index.open_dir(self.directory)
        return self._index

    def _check_schema(self, ix) -> None:
        if signature(ix.schema) != signature(SCHEMA):
            raise IndexOutOfDate(
                "the search index was built by an older version: run `flask search rebuild`"
            )

    def write(self, documents: list[Document], remove: set[str]) -> None:
        ix = self._open()
        self._check_schema(ix)  # queued work waits for the rebuild instead of failing in it
        # Not compound: a compound segment is one file whose parts every reader copies into
        # memory (postings and terms: ~100 MB at 400,000 documents, per process, per reopen).
        writer = ix.writer(timeout=30.0, compound=False)
        try:
            # One searcher for all deletions: update_document would open one per document.
            with writer.searcher() as searcher:
                for key in remove | {document.key for document in documents}:
                    writer.delete_by_term("key", key, searcher=searcher)
            for document in documents:
                writer.add_document(**index_fields(document))
            writer.commit()
        except BaseException:
            abandon(writer)
            raise

    def clear(self) -> None:
        with self._lock:
            self._close_reader()
            self._segments = {}
            self._open(create=True)

    def bulk_writer(self):
        """A writer for rebuilds: more memory, one commit at the end."""
        return self._open().writer(timeout=30.0, limitmb=256, compound=False)

    # -- reading -------------------------------------------------------------------------------

    def _close_reader(self) -> None:
        self._engine = None
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def _current_engine(self) -> Engine:
        """The kept reader's engine, reopened when the index changed (checked once a second).

        Never `refresh()` a kept reader in place: whoosh-reloaded 2.7.5 reuses a segment's
        old reader after documents in it were deleted, so replaced documents showed twice.
        """
        now = time.monotonic()
        if self._reader is not None and now - self._checked_at >= self.refresh_seconds:
            self._checked_at = now
            if self._open().latest_generation() != self._reader.generation():
                self._close_reader()
        if self._reader is None:
            ix = self._open()
            self._check_schema(ix)
            for attempt in range(3):
                self._reader = ix.reader()
                try:
                    self._engine = Engine(self._reader, self._segments)
                    break
                except (OSError, IndexOutOfDate):
                    # A commit merged segments and deleted their files between our reading
                    # the table of contents and opening them: open the new state instead.
                    self._close_reader()
                    if attempt == 2:
                        raise
            self._checked_at = now
            # Forget segments merged away since the last reopen.
            current = {leaf.segid for leaf in self._engine.leaves}
            for segid in list(self._segments):
                if segid not in current:
                    del self._segments[segid]
        return self._engine

    def search(self, request: SearchRequest, user) -> SearchResult:
        """One page of hits, the total and the facet counts, all within what `user` may see."""
        scope = access.search_scope(user)
        offset = (request.page - 1) * request.per_page
        with self._lock:
            engine = self._current_engine()
            page = engine.search(
                parse_query(request), scope, request.order, offset, request.per_page
            )
            hits = []
            for docnum, score in zip(page.docnums, page.scores, strict=True):
                hits.append(SearchHit(*engine.describe(docnum), score))
        return SearchResult(hits=hits, total=page.total, facets=page.facets)

    def stored(self) -> dict[str, str]:
        """Every key in the index with its digest (for verify)."""
        with self._lock:
            reader = self._current_engine().reader
            return {f["key"]: f.get("digest", "") for f in reader.all_stored_fields()}

    def schema_problems(self) -> list[str]:
        """Why the index on disk cannot be searched as it is (an older schema)."""
        if not index.exists_in(self.directory):
            return []
        if signature(index.open_dir(self.directory).schema) != signature(SCHEMA):
            return ["the index was built by an older version (schema differs): rebuild it"]
        return []

    def close(self) -> None:
        with self._lock:
            self._close_reader()
            self._index = None
