"""Answering a search from a Whoosh index with array operations.

Whoosh's collectors score, mask and group matches one document at a time in Python, about
3 µs a match: a common word (100,000 matches at 400,000 documents) took close to a second
before the first facet was counted, and a phrase several. Whoosh still owns the index here
(analysis, term dictionary, postings, columns, segments, one writer at a time), but a query
is answered over whole posting lists at once with numpy: word groups are boolean arrays,
relevance is BM25 (as Whoosh's default) summed per field, visibility is a comparison on
column arrays, facets are `bincount`s and the page is a partial sort.

Everything read from a segment is cached under the segment's id: a segment never changes
once written (deletions are a separate, small set), so after a commit only the new, small
segment is read, and a kept process answers from memory.
"""

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.matching.wrappers import FilterMatcher
from whoosh.util.numeric import byte_to_length

from portal.ideas.models import AUDIENCES
from portal.search.errors import IndexOutOfDate
from portal.search.querying import Scope

# BM25F as Whoosh's default weighting (whoosh.scoring.BM25F).
B = 0.75
K1 = 1.2
TEXT_FIELDS = {"title": 2.0, "body": 1.0}  # field -> boost
PHRASE_FIELD = "pairs"
# A prefix is expanded to at most this many index terms per field and segment.
MAX_PREFIX_TERMS = 64
# Columns read whole per segment: what facets, filters, visibility and order need.
CODED_COLUMNS = ("type", "category", "status", "kind", "audience", "organization")
FLAG_COLUMNS = ("confidential", "hidden")
NUMBER_COLUMNS = ("votes", "created", "id", "idea_id")
VISIBILITY_COLUMNS = ("audience", "confidential", "hidden")
# Posting lists kept per segment, counted in postings (12 bytes each): ~24 MB a segment.
POSTINGS_CACHE_SIZE = 2_000_000

_LENGTH_OF_BYTE = np.array([byte_to_length(i) for i in range(256)], dtype=np.float32)


def _column_bytes(segreader, name, column):
    """The raw fixed-width bytes of a column (RefBytes refs or big-endian numbers)."""
    perdoc = segreader._perdoc
    if not perdoc.has_column(name):
        return None, None
    reader = perdoc.column_reader(name, column)
    size = reader._itemsize if hasattr(reader, "_itemsize") else reader._fixedlen
    count = getattr(reader, "_count", reader._doccount)
    raw = reader._dbfile.get(reader._basepos, count * size)
    return reader, raw


def _coded_column(segreader, field, doccount):
    """(codes, values): a RefBytes column as small integers and the text each stands for."""
    column = segreader.schema[field].column_type
    reader, raw = _column_bytes(segreader, field, column)
    if reader is None:
        if field in VISIBILITY_COLUMNS and doccount:
            # Never guess visibility: without the column nothing here may be shown.
            raise IndexOutOfDate(f"the search index has no {field!r} column: rebuild it")
        return np.zeros(doccount, dtype=np.uint8), [""]
    dtype = np.dtype(">" + reader._typecode)
    codes = np.frombuffer(raw, dtype=dtype).astype(dtype.newbyteorder("="))
    values = [v.decode("utf-8") if isinstance(v, bytes) else (v or "") for v in reader._uniques]
    return codes, values


def _number_column(segreader, field, doccount):
    column = segreader.schema[field].column_type
    reader, raw = _column_bytes(segreader, field, column)
    numbers = np.zeros(doccount, dtype=np.int64)
    if reader is not None:
        read = np.frombuffer(raw, dtype=np.dtype(">" + reader._typecode))
        numbers[: read.size] = read
    return numbers


def _lengths(segreader, field, doccount):
    reader, raw = _column_bytes(segreader, _lenfield(field), LENGTHS_COLUMN)
    lengths = np.zeros(doccount, dtype=np.float32)
    if reader is not None:
        encoded = np.frombuffer(raw, dtype=np.uint8)
        lengths[: encoded.size] = _LENGTH_OF_BYTE[encoded]
    return lengths


def _read_postings(segreader, field, text):
    """(document numbers, term frequencies) of one term in one segment, deletions included.

    Reads the posting blocks whole (delta-decoded with numpy) instead of stepping a
    matcher one posting at a time.
    """
    empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
    try:
        matcher = segreader.postings(field, text)
    except Exception:  # TermNotFound, or a field without the term
        return empty
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    if not isinstance(matcher, W3LeafMatcher):  # an inlined list of a few postings
        ids, weights = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float32)
    id_parts, weight_parts = [], []
    while True:
        matcher._read_data()
        deltas, weights = matcher._data[0], matcher._data[1]
        ids = np.cumsum(np.asarray(deltas, dtype=np.int64))
        id_parts.append(ids)
        if weights is None:
            weight_parts.append(np.ones(ids.size, dtype=np.float32))
        elif isinstance(weights, float):
            weight_parts.append(np.full(ids.size, weights, dtype=np.float32))
        else:
            weight_parts.append(np.asarray(weights, dtype=np.float32))
        if matcher._lastblock:
            break
        matcher._goto(matcher._nextoffset)
    return np.concatenate(id_parts), np.concatenate(weight_parts)


class SegmentData:
    """What queries need from one segment, read once: columns, lengths, cached postings."""

    def __init__(self, segreader):
        self.doccount = segreader.doc_count_all()
        n = self.doccount
        self.codes = {}
        self.values = {}
        for field in CODED_COLUMNS + FLAG_COLUMNS:
            self.codes[field], self.values[field] = _coded_column(segreader, field, n)
        self.numbers = {field: _number_column(segreader, field, n) for field in NUMBER_COLUMNS}
        self.lengths = {field: _lengths(segreader, field, n) for field in TEXT_FIELDS}
        self.field_length = {field: segreader.field_length(field) for field in TEXT_FIELDS}
        self._postings: OrderedDict = OrderedDict()
        self._postings_size = 0
        self._invisible: dict = {}
        self._lock = threading.Lock()

    def postings(self, segreader, field, text):
        key = (field, text)
        with self._lock:
            found = self._postings.get(key)
            if found is not None:
                self._postings.move_to_end(key)
                return found
        found = _read_postings(segreader, field, text)
        with self._lock:
            if key not in self._postings:
                self._postings[key] = found
                self._postings_size += found[0].size
            while self._postings_size > POSTINGS_CACHE_SIZE and len(self._postings) > 1:
                _, (ids, _weights) = self._postings.popitem(last=False)
                self._postings_size -= ids.size
        return found

    def equals(self, field, value) -> np.ndarray:
        values = self.values[field]
        if value not in values:
            return np.zeros(self.doccount, dtype=bool)
        return self.codes[field] == values.index(value)

    def invisible(self, scope: Scope) -> np.ndarray | None:
        """Documents `scope` may not see (None: none), the same rule as `access`."""
        if scope.include_hidden and scope.confidential == "all" and len(scope.audiences) == 3:
            return None
        key = (scope.audiences, scope.confidential, scope.include_hidden)
        found = self._invisible.get(key)
        if found is None:
            found = np.zeros(self.doccount, dtype=bool)
            for audience in AUDIENCES:
                if audience not in scope.audiences:
                    found |= self.equals("audience", audience)
            if scope.confidential != "all":
                confidential = self.equals("confidential", "true")
                if scope.confidential != "none":
                    confidential &= ~self.equals("organization", scope.confidential)
                found |= confidential
            if not scope.include_hidden:
                found |= self.equals("hidden", "true")
            if len(self._invisible) > 64:
                self._invisible.clear()
            self._invisible[key] = found
        return found


@dataclass
class Leaf:
    reader: object
    offset: int
    segid: str
    data: SegmentData
    alive: np.ndarray


@dataclass
class Query:
    """A parsed request in index terms: every group must match (any, for `match_any`).

    A group is a list of alternatives, each (field, term, is_prefix); a phrase is a group
    of its own whose word pairs must all be present.
    """

    groups: list
    phrases: list
    filters: dict
    match_any: bool


@dataclass
class Page:
    docnums: list
    scores: list
    total: int
    facets: dict


class Engine:
    """Searches one opened index snapshot (a reader); cheap to make, segments are cached."""

    def __init__(self, reader, segment_cache: dict):
        self.reader = reader
        self.leaves = []
        for segreader, offset in reader.leaf_readers():
            if not segreader.doc_count_all():
                continue  # an empty index has one EmptyReader, without a segment
            segid = segreader.segment().segid
            data = segment_cache.get(segid)
            if data is None:
                data = segment_cache[segid] = SegmentData(segreader)
            alive = np.ones(data.doccount, dtype=bool)
            if segreader.has_deletions():
                deleted = np.fromiter(segreader.deleted_docs_set, dtype=np.int64)
                alive[deleted[deleted < data.doccount]] = False
            self.leaves.append(Leaf(segreader, offset, segid, data, alive))
        self.doc_count = max(1, sum(int(leaf.alive.sum()) for leaf in self.leaves))
        self.avg_length = {
            field: max(1.0, sum(leaf.data.field_length[field] for leaf in self.leaves))
            / max(1, sum(leaf.data.doccount for leaf in self.leaves))
            for field in TEXT_FIELDS
        }
        self._df: dict = {}

    def describe(self, docnum: int) -> tuple[str, int, int]:
        """(type, id, idea id) of a document, from the columns read when the segment was
        first opened: a merge may delete an old segment's files while a reader still
        lists it, so nothing is read lazily from them (stored fields would be)."""
        for leaf in reversed(self.leaves):
            if docnum >= leaf.offset:
                local = docnum - leaf.offset
                data = leaf.data
                doc_type = data.values["type"][data.codes["type"][local]]
                return doc_type, int(data.numbers["id"][local]), int(data.numbers["idea_id"][local])
        raise IndexError(docnum)

    def _doc_frequency(self, field, text) -> int:
        key = (field, text)
        if key not in self._df:
            self._df[key] = sum(
                leaf.data.postings(leaf.reader, field, text)[0].size for leaf in self.leaves
            )
        return self._df[key]

    def _idf(self, field, text) -> float:
        return math.log(self.doc_count / (self._doc_frequency(field, text) + 1)) + 1

    def _term_scores(self, leaf, field, text, hit, scores):
        ids, tf = leaf.data.postings(leaf.reader, field, text)
        if not ids.size:
            return
        hit[ids] = True
        lengths = leaf.data.lengths[field][ids]
        norm = K1 * ((1 - B) + B * lengths / self.avg_length[field])
        scores[ids] += self._idf(field, text) * TEXT_FIELDS[field] * tf * (K1 + 1) / (tf + norm)

    def _prefix_hits(self, leaf, field, prefix, hit, scores):
        for n, term in enumerate(leaf.reader.expand_prefix(field, prefix)):
            if n >= MAX_PREFIX_TERMS:
                break
            ids, _ = leaf.data.postings(leaf.reader, field, term)
            hit[ids] = True
            scores[ids] += 0.5 * TEXT_FIELDS[field]  # constant: a prefix says little

    def _matches(self, leaf, q: Query):
        n = leaf.data.doccount
        scores = np.zeros(n, dtype=np.float32)
        matched = None
        for group in q.groups:
            hit = np.zeros(n, dtype=bool)
            for field, text, is_prefix in group:
                if is_prefix:
                    self._prefix_hits(leaf, field, text, hit, scores)
                else:
                    self._term_scores(leaf, field, text, hit, scores)
            matched = hit if matched is None else (matched | hit if q.match_any else matched & hit)
        for pairs in q.phrases:
            hit = np.ones(n, dtype=bool)
            for pair in pairs:
                ids, _ = leaf.data.postings(leaf.reader, PHRASE_FIELD, pair)
                in_pair = np.zeros(n, dtype=bool)
                in_pair[ids] = True
                hit &= in_pair
                scores[ids] += self._idf(PHRASE_FIELD, pair)
            matched = hit if matched is None else (matched | hit if q.match_any else matched & hit)
        if matched is None:
            matched = np.ones(n, dtype=bool)
        for field, value in q.filters.items():
            matched &= leaf.data.equals(field, value)
        return matched, scores

    def search(self, q: Query, scope: Scope, order: str, start: int, count: int) -> Page:
        """Documents `scope` may see that match `q`: one page, the total and facet counts."""
        wanted = start + count
        facets = {field: {} for field in ("type", "category", "status", "kind")}
        total = 0
        candidates = []  # per segment: (keys..., scores), the segment's best `wanted`
        for leaf in self.leaves:
            matched, leaf_scores = self._matches(leaf, q)
            matched &= leaf.alive
            invisible = leaf.data.invisible(scope)
            if invisible is not None:
                matched &= ~invisible
            found = np.flatnonzero(matched)
            if not found.size:
                continue
            total += found.size
            for field, counts in facets.items():
                tally = np.bincount(leaf.data.codes[field][found])
                for code in np.flatnonzero(tally):
                    value = leaf.data.values[field][code]
                    if value:
                        counts[value] = counts.get(value, 0) + int(tally[code])
            keys = _order_keys(leaf, found, leaf_scores, order)
            best = _best(keys, wanted)
            candidates.append(([k[best] for k in keys], leaf_scores[found[best]]))
        if not candidates:
            return Page([], [], 0, facets)
        keys = [np.concatenate([c[0][i] for c in candidates]) for i in range(len(candidates[0][0]))]
        scores = np.concatenate([c[1] for c in candidates])
        ranked = _best(keys, wanted)[start:]
        return Page(
            docnums=[int(d) for d in keys[-1][ranked]],
            scores=[float(s) for s in scores[ranked]],
            total=total,
            facets=facets,
        )


def _order_keys(leaf, found, scores, order) -> list[np.ndarray]:
    """Sort keys, most significant first, all descending; the last is the global docnum."""
    numbers = leaf.data.numbers
    docnums = found + leaf.offset
    if order == "votes":
        return [numbers["votes"][found], numbers["created"][found], docnums]
    if order == "newest":
        return [numbers["created"][found], docnums]
    return [scores[found].astype(np.float64), docnums]


def _best(keys: list[np.ndarray], wanted: int) -> np.ndarray:
    """Positions of the `wanted` largest by `keys` (lexicographic, descending), in order."""
    primary = keys[0]
    if primary.size > wanted:
        threshold = np.partition(primary, primary.size - wanted)[primary.size - wanted]
        candidates = np.flatnonzero(primary >= threshold)
    else:
        candidates = np.arange(primary.size)
    # lexsort sorts by its last key first, ascending: negate for descending.
    ordered = np.lexsort(tuple(-k[candidates] for k in reversed(keys)))
    return candidates[ordered[:wanted]]
