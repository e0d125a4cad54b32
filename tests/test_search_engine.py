"""The Whoosh engine against a plain-Python oracle: several segments, deletions, every scope.

No database: documents go straight into a Whoosh index in several commits (so the index has
several segments, and replaced documents leave deletions in older ones), and every answer
(matches, totals, facets, order, pages) is compared with what a direct reading of the
documents says it must be.
"""

import os
import random
from datetime import datetime, timedelta

import pytest
from whoosh import index as whoosh_index
from whoosh.fields import ID, Schema

from portal import access
from portal.search import service
from portal.search.documents import Document
from portal.search.errors import IndexOutOfDate
from portal.search.querying import FILTER_FIELDS, Scope, parse
from portal.search.whoosh_backend import ANALYZER, WhooshBackend, index_fields

WORDS = ["oven", "door", "seal", "kettle", "pallet", "label", "noise", "heating", "delivery"]
STOP = ["the", "and", "of"]
CATEGORIES = ["cooking", "cooling", "logistics"]
SCOPES = {
    "anonymous": Scope(("public",), "none", False),
    "customer": Scope(("public", "customers"), "none", False),
    "supplier org 1": Scope(("public", "suppliers"), "1", False),
    "staff": Scope(("public", "customers", "suppliers"), "all", False),
    "moderator": Scope(("public", "customers", "suppliers"), "all", True),
}
START = datetime(2026, 1, 1)


def random_document(rng: random.Random, n: int) -> Document:
    def text(length):
        return " ".join(rng.choice(WORDS + STOP) for _ in range(length))

    audience = rng.choice(["public", "customers", "suppliers"])
    confidential = audience == "suppliers" and rng.random() < 0.4
    return Document(
        key=f"idea:{n}",
        type=rng.choice(["idea", "comment"]),
        id=n,
        idea_id=n,
        title=text(rng.randint(1, 4)),
        body=text(rng.randint(0, 12)),
        category=rng.choice(CATEGORIES),
        status=rng.choice(["open", "planned", "done"]),
        kind=rng.choice(["idea", "problem"]),
        audience=audience,
        confidential=confidential,
        organization=rng.choice(["1", "2"]) if confidential else "",
        hidden=rng.random() < 0.1,
        votes=rng.randint(0, 5),  # many ties: order must still be exact
        created=START + timedelta(minutes=n),
    )


def stems(text: str) -> list[str]:
    return [t.text for t in ANALYZER(text)]


def visible(document: Document, scope: Scope) -> bool:
    if document.audience not in scope.audiences or (document.hidden and not scope.include_hidden):
        return False
    if document.confidential and scope.confidential != "all":
        return document.organization == scope.confidential
    return True


def oracle(documents: dict, q: str, scope: Scope, filters=None, match_any=False):
    """The documents a search must find, by reading them one by one."""
    request = parse(q, filters, match_any=match_any)
    found = []
    for document in documents.values():
        words = set(stems(document.title)) | set(stems(document.body))
        prefix = request.prefix
        plain = request.words[:-1] if prefix else request.words
        groups = [stem in words for word in plain for stem in stems(word)]
        if prefix:
            last = stems(request.words[-1])
            groups.append(any(s in words for s in last) or any(w.startswith(prefix) for w in words))
        for phrase in request.phrases:
            wanted = stems(phrase)
            pairs = {f"{a} {b}" for a, b in zip(wanted, wanted[1:], strict=False)}
            have = set()
            for text in (document.title, document.body):
                s = stems(text)
                have |= {f"{a} {b}" for a, b in zip(s, s[1:], strict=False)}
            # the index also pairs the title's last word with the body's first
            t, b = stems(document.title), stems(document.body)
            if t and b:
                have.add(f"{t[-1]} {b[0]}")
            groups.append(pairs <= have)
        matched = (any(groups) if match_any else all(groups)) if groups else True
        matched = matched and all(getattr(document, f) == v for f, v in request.filters.items())
        if matched and visible(document, scope):
            found.append(document)
    return found


@pytest.fixture
def corpus(tmp_path, monkeypatch):
    """300 documents written in five commits, then 60 replaced and 20 removed."""
    rng = random.Random(7)
    backend = WhooshBackend(str(tmp_path / "index"), refresh_seconds=0)
    documents = {}
    n = 0
    for _ in range(5):
        writer = backend._open().writer()
        for _ in range(60):
            n += 1
            document = random_document(rng, n)
            documents[document.key] = document
            writer.add_document(**index_fields(document))
        writer.commit(merge=False)
    replaced = rng.sample(sorted(documents), 60)
    new_versions = []
    for key in replaced:
        document = random_document(rng, int(key.split(":")[1]))
        documents[key] = document
        new_versions.append(document)
    backend.write(new_versions[:30], set())
    backend.write(new_versions[30:], set())
    removed = set(rng.sample(sorted(documents), 20))
    backend.write([], removed)
    for key in removed:
        del documents[key]
    current = {}
    monkeypatch.setattr(access, "search_scope", lambda user: current["scope"])

    def search(q, scope, **options):
        current["scope"] = scope
        request = parse(q, options.pop("filters", None), **options)
        return backend.search(request, None)

    yield documents, search, backend
    backend.close()


QUERIES = [
    "oven",
    "door seal",
    "kettle noise delivery",
    '"door seal"',
    '"seal door"',
    '"oven door seal"',
    "del",  # prefix as typed
    "door sea",
    "the",  # a stop word: every document
    "ovens heated",  # stems
    "zzz",
]


@pytest.mark.parametrize("scope_name", SCOPES)
def test_matches_totals_and_facets_equal_the_oracle(corpus, scope_name):
    documents, search, backend = corpus
    assert len(backend._current_engine().leaves) > 1  # really several segments
    scope = SCOPES[scope_name]
    for q in QUERIES:
        for filters in (None, {"category": "cooling"}, {"status": "planned", "type": "comment"}):
            expected = oracle(documents, q, scope, filters)
            result = search(q, scope, filters=filters, per_page=1000)
            got = sorted(hit.id for hit in result.hits)
            assert got == sorted(d.id for d in expected), (q, filters)
            assert result.total == len(expected), (q, filters)
            for field in FILTER_FIELDS:
                counts = {}
                for document in expected:
                    value = getattr(document, field)
                    counts[value] = counts.get(value, 0) + 1
                assert result.facets[field] == counts, (q, filters, field)


def test_any_word_matches_for_similar_ideas(corpus):
    documents, search, _ = corpus
    scope = SCOPES["customer"]
    expected = oracle(documents, "kettle pallet ", scope, match_any=True)
    result = search("kettle pallet ", scope, match_any=True, per_page=1000)
    assert sorted(h.id for h in result.hits) == sorted(d.id for d in expected)


@pytest.mark.parametrize("order", ["votes", "newest"])
def test_order_and_pages_are_exact_across_segments(corpus, order):
    documents, search, _ = corpus
    scope = SCOPES["staff"]
    expected = oracle(documents, "door", scope)
    if order == "votes":
        expected.sort(key=lambda d: (d.votes, d.created), reverse=True)
    else:
        expected.sort(key=lambda d: d.created, reverse=True)
    pages = []
    for page in range(1, 5):
        result = search("door", scope, order=order, page=page, per_page=7)
        pages += [hit.id for hit in result.hits]
    assert pages == [d.id for d in expected][:28]


def test_relevance_prefers_the_title_and_pages_do_not_overlap(corpus):
    documents, search, backend = corpus
    scope = SCOPES["moderator"]
    first = search("kettle", scope, per_page=10)
    second = search("kettle", scope, per_page=10, page=2)
    ids = [h.id for h in first.hits + second.hits]
    assert len(ids) == len(set(ids)) == min(20, first.total)
    assert first.hits[0].score >= first.hits[-1].score >= second.hits[0].score
    best = documents[f"idea:{first.hits[0].id}"]
    assert stems("kettle")[0] in stems(best.title)


def test_a_new_commit_is_seen_and_old_segments_stay_cached(corpus):
    documents, search, backend = corpus
    scope = SCOPES["anonymous"]
    engine = backend._current_engine()
    cached = dict(backend._segments)
    document = random_document(random.Random(1), 999)
    document.title, document.audience, document.hidden = "magnetron", "public", False
    backend.write([document], set())
    assert [h.id for h in search("magnetron", scope).hits] == [999]
    assert backend._current_engine() is not engine
    # Segments the commit did not touch were not read again.
    assert any(backend._segments.get(segid) is data for segid, data in cached.items())


def test_an_index_with_an_older_schema_is_refused_not_misread(tmp_path, app):
    directory = tmp_path / "old"
    directory.mkdir()
    whoosh_index.create_in(str(directory), Schema(key=ID(unique=True, stored=True)))
    backend = WhooshBackend(str(directory))
    assert backend.schema_problems()
    with pytest.raises(IndexOutOfDate):
        backend.search(parse("oven"), None)
    with pytest.raises(IndexOutOfDate):
        backend.write([], {"idea:1"})
    app.extensions["search_backend"] = backend
    client = app.test_client()
    response = client.get("/search?q=oven")
    assert response.status_code == 503
    assert "flask search rebuild" in response.get_data(as_text=True)
    api = client.get("/api/v1/search?q=oven")
    assert api.status_code == 503 and api.get_json()["error"]["code"] == "unavailable"
    with app.app_context(), pytest.raises(Exception, match="not available"):
        service.search(None, "oven")


def test_a_text_of_stop_words_only_is_indexed_and_found_by_its_filters(tmp_path, monkeypatch):
    """Whoosh's BiWordFilter raised on a text without words; titles like "The" exist."""
    backend = WhooshBackend(str(tmp_path / "index"), refresh_seconds=0)
    document = random_document(random.Random(3), 1)
    document.title, document.body, document.audience, document.hidden = "The", "", "public", False
    backend.write([document], set())
    monkeypatch.setattr(access, "search_scope", lambda user: SCOPES["anonymous"])
    result = backend.search(parse("", {"category": document.category}), None)
    assert [hit.id for hit in result.hits] == [1]
    backend.close()


def test_an_empty_index_answers_with_nothing(tmp_path, monkeypatch):
    backend = WhooshBackend(str(tmp_path / "index"), refresh_seconds=0)
    backend.clear()
    monkeypatch.setattr(access, "search_scope", lambda user: SCOPES["anonymous"])
    result = backend.search(parse("oven"), None)
    assert (result.hits, result.total) == ([], 0)
    assert backend.stored() == {}
    backend.close()


def test_segments_are_not_compound_files(tmp_path):
    """A compound segment's parts are copied into every reader's memory (~100 MB a process
    at 400,000 documents, again at each reopen): writes and rebuilds leave plain files."""
    backend = WhooshBackend(str(tmp_path / "index"), refresh_seconds=0)
    rng = random.Random(2)
    writer = backend.bulk_writer()
    for n in range(1, 50):
        writer.add_document(**index_fields(random_document(rng, n)))
    writer.commit()
    backend.write([random_document(rng, 1000)], {"idea:3"})
    names = os.listdir(backend.directory)
    assert sum(name.endswith(".pst") for name in names) == 2, names
    assert not any(name.endswith(".seg") for name in names), names
    backend.close()


def test_a_commit_that_fails_releases_the_write_lock(tmp_path, monkeypatch):
    """A failed commit must not leave Whoosh's lock held (later writes would wait and fail)."""
    from whoosh.writing import SegmentWriter

    backend = WhooshBackend(str(tmp_path / "index"), refresh_seconds=0)
    rng = random.Random(4)
    backend.write([random_document(rng, 1)], set())

    def broken_commit(self, *args, **kwargs):
        raise OSError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(SegmentWriter, "commit", broken_commit)
        with pytest.raises(OSError):
            backend.write([random_document(rng, 2)], set())
    writer = backend._open().writer(timeout=0.5)  # would time out with the lock still held
    writer.cancel()
    backend.write([random_document(rng, 3)], set())
    assert set(backend.stored()) == {"idea:1", "idea:3"}
    backend.close()


def test_a_kept_reader_answers_after_another_process_merged_its_segments_away(
    tmp_path, monkeypatch
):
    """A writer's merge deletes the old segments' files while other processes still search
    them; nothing may be read lazily from those files (stored fields were: a 500 under load)."""
    directory = str(tmp_path / "index")
    reader_process = WhooshBackend(directory, refresh_seconds=3600)
    writer_process = WhooshBackend(directory, refresh_seconds=0)
    rng = random.Random(5)
    documents = [random_document(rng, n) for n in range(1, 41)]
    for document in documents:
        document.audience, document.hidden, document.confidential = "public", False, False
    for chunk in range(4):
        writer_process.write(documents[chunk * 10 : (chunk + 1) * 10], set())
    monkeypatch.setattr(access, "search_scope", lambda user: SCOPES["anonymous"])
    before = reader_process.search(parse("oven", per_page=100), None)
    writer_process.write([], {"idea:1"})
    writer_process._open().optimize()  # one segment; the old segments' files are deleted
    with pytest.raises(TypeError):  # the scenario is real: a lazily opened file is gone
        reader_process._reader.stored_fields(0)
    for word in ("oven", "pallet", "kettle"):
        result = reader_process.search(parse(word, per_page=100), None)  # still the old state
        expected = [d for d in documents if stems(word)[0] in stems(d.title + " " + d.body)]
        assert sorted(h.id for h in result.hits) == sorted(d.id for d in expected), word
    assert before.total == len([h for h in before.hits])
    reader_process._checked_at = 0
    reader_process.refresh_seconds = 0
    after = reader_process.search(parse("oven", per_page=100), None)
    assert 1 not in [h.id for h in after.hits]
    reader_process.close()
    writer_process.close()
