"""The PostgreSQL backend: full-text search over the live tables (for several hosts).

Ideas and comments carry a stored `search_vector` (a generated column with a GIN index,
migration 0006), so PostgreSQL matches and ranks without parsing any text again; there is
nothing to keep in sync, and visibility is the very SQL filter the lists use.

A search reads at most SEARCH_COUNT_BOUND + 1 matches (the idea list's rule for totals):
counting and ranking every match of a common word took ~260 ms at 100,000 ideas.
"""

import re

from sqlalchemy import (
    Float,
    Integer,
    String,
    and_,
    func,
    literal,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import TSVECTOR

from portal import access
from portal.extensions import db
from portal.ideas.models import Category, Comment, Idea
from portal.search.querying import FILTER_FIELDS, SearchHit, SearchRequest, SearchResult

# Stored generated columns with GIN indexes (migration 0006): parsed once, when written.
IDEA_VECTOR = "idea.search_vector"
COMMENT_VECTOR = "comment.search_vector"
_SAFE_WORD = re.compile(r"^\w+$", re.UNICODE)
TOTAL = "#total"  # the row of the statement's answer that carries the count


def tsquery_text(request: SearchRequest) -> str:
    """`to_tsquery` syntax built from plain words only: all must match, last one as prefix."""
    words = [w.lower() for w in request.words if _SAFE_WORD.match(w)]
    terms = [f"'{w}'" for w in words]
    if request.prefix and terms:
        terms[-1] = f"'{words[-1]}':*"
    in_phrases = set()
    phrase_terms = []
    for phrase in request.phrases:
        phrase_words = [w.lower() for w in re.findall(r"\w+", phrase)]
        if phrase_words:
            phrase_terms.append("(" + " <-> ".join(f"'{w}'" for w in phrase_words) + ")")
            in_phrases.update(phrase_words)
    if not request.match_any:
        # A phrase requires its words already: naming them again (`door & seal & door <->
        # seal`) made PostgreSQL count each word's frequency twice and think the phrase
        # 50 times rarer than it is, and sort all its matches instead of walking an index.
        terms = [t for t, w in zip(terms, words, strict=True) if w not in in_phrases or
                 t.endswith(":*")]  # fmt: skip
    terms += phrase_terms
    return (" | " if request.match_any else " & ").join(terms)


class PostgresBackend:
    name = "postgres"

    def write(self, documents, remove) -> None:
        """Nothing to write: the tables are the index."""

    def clear(self) -> None:
        pass

    def stored(self):
        return None

    def close(self) -> None:
        pass

    def _parts(self, request: SearchRequest, idea_condition, comment_condition, query):
        """The ideas and the comments that match, each as one select; with a bound, each
        takes only its first bound + 1 in the window's order (see `_window_order`)."""
        text = tsquery_text(request)
        idea_vector = literal_column(IDEA_VECTOR)
        comment_vector = literal_column(COMMENT_VECTOR)
        filters = request.filters
        idea_where = [idea_condition, Idea.merged_into_id.is_(None)]
        # A merged duplicate's comments are found under the original (see documents.py).
        comment_where = [idea_condition, comment_condition, Comment.deleted_at.is_(None)]
        if text:
            idea_where.append(idea_vector.op("@@")(query))
            comment_where.append(comment_vector.op("@@")(query))
        # A comment carries its idea's status, kind and category (migration 0018), so a
        # filter meets the full-text index on the comment's own indexes, before any join.
        for name in ("status", "kind"):
            if name in filters:
                idea_where.append(getattr(Idea, name) == filters[name])
                comment_where.append(literal_column(f"comment.idea_{name}") == filters[name])
        if "category" in filters:
            idea_where.append(Category.slug == filters["category"])
            category_id = select(Category.id).where(Category.slug == filters["category"])
            comment_where.append(
                literal_column("comment.idea_category_id") == category_id.scalar_subquery()
            )
        # Ranked later, within the bounded window only: carried, not computed, here.
        ranked = bool(text) and request.order == "relevance"
        no_vector = literal(None, TSVECTOR)
        ideas = (
            select(
                literal("idea", String).label("type"),
                Idea.id.label("id"),
                Idea.id.label("idea_id"),
                (idea_vector if ranked else no_vector).label("vector"),
                Idea.votes_count.label("votes"),
                Idea.created_at.label("created"),
                Category.slug.label("category"),
                Idea.status.label("status"),
                Idea.kind.label("kind"),
            )
            .join(Category, Category.id == Idea.category_id)
            .where(and_(*idea_where))
        )
        comments = (
            select(
                literal("comment", String).label("type"),
                Comment.id.label("id"),
                func.coalesce(Idea.merged_into_id, Comment.idea_id).label("idea_id"),
                (comment_vector if ranked else no_vector).label("vector"),
                literal(0, Integer).label("votes"),  # as in the Whoosh documents
                Comment.created_at.label("created"),
                Category.slug.label("category"),
                Idea.status.label("status"),
                Idea.kind.label("kind"),
            )
            .join(Idea, Idea.id == Comment.idea_id)
            .join(Category, Category.id == Idea.category_id)
            .where(and_(*comment_where))
        )
        if request.bound is not None:
            # Votes and newest: each part's first bound + 1 in the window's order, so that
            # they hold every row of the union's first bound + 1 (walked from the votes and
            # created indexes when matches are many, sorted when few): exact over all matches.
            # Relevance: the first bound + 1 matches found, in no order, ranked afterwards.
            # An order there (newest) made the planner's guess of how many rows match decide
            # between walking an index and sorting every match, and its guesses for phrases
            # and filters on the idea of a comment were 30 times too low (70 ms at 100,000
            # ideas); the first matches found stop a bitmap scan early whatever the guess.
            if request.order == "votes":
                ideas = ideas.order_by(
                    Idea.votes_count.desc(), Idea.created_at.desc(), Idea.id.desc()
                )
            elif request.order == "newest":
                ideas = ideas.order_by(Idea.created_at.desc(), Idea.id.desc())
            if request.order != "relevance":
                comments = comments.order_by(Comment.created_at.desc(), Comment.id.desc())
            ideas = ideas.limit(request.bound + 1)
            comments = comments.limit(request.bound + 1)
        wanted = filters.get("type")
        return [s for t, s in (("idea", ideas), ("comment", comments)) if wanted in (None, t)]

    @staticmethod
    def _window_order(columns, order: str) -> tuple:
        """Which matches a bounded search keeps: the first bound + 1 most voted (`votes`) or
        newest (`newest`); for `relevance`, which ranks them, the parts chose them already
        and this order only makes the choice among them repeatable."""
        if order == "votes":
            keys = (columns.votes.desc(), columns.created.desc())
        else:
            keys = (columns.created.desc(),)
        return (*keys, columns.type, columns.id.desc())

    def search(self, request: SearchRequest, user) -> SearchResult:
        """One page of hits, the total and facet counts, within what `user` may see.

        One statement. With a bound (SEARCH_COUNT_BOUND), at most bound + 1 matches of each
        part are read (see `_parts`): the total is exact up to the bound, and the facets
        count the first `bound` matches; relevance ranks within them. Without one, every
        match is counted and ranked.
        """
        text = tsquery_text(request)
        query = func.to_tsquery(literal_column("'english'::regconfig"), literal(text, String))
        parts = self._parts(
            request,
            access.idea_visibility(user, include_hidden_own=False),
            access.comment_visibility(user),
            query,
        )
        if not parts:
            return SearchResult([], 0, {name: {} for name in FILTER_FIELDS})
        bound = request.bound
        # Each part keeps its ORDER BY and LIMIT: SQLAlchemy puts it in parentheses.
        matches = union_all(*parts).subquery("matches")
        window = self._window_order(matches.c, request.order)
        found = select(*matches.c, func.row_number().over(order_by=window).label("place"))
        if bound is not None:
            found = found.order_by(*window).limit(bound + 1)
        # Materialized: the page, the total and the four facet counts read the matches once.
        hits = found.cte("hits").prefix_with("MATERIALIZED")
        if text and request.order == "relevance":
            score = func.ts_rank(hits.c.vector, query)
            order = (score.desc(), hits.c.votes.desc(), hits.c.type, hits.c.id.desc())
        else:
            score = literal(0.0, Float)
            order = self._window_order(hits.c, request.order)
        page = (
            select(
                hits.c.type,
                hits.c.id,
                hits.c.idea_id,
                score.label("score"),
                func.row_number().over(order_by=order).label("position"),
            )
            .order_by(*order)
            .limit(request.per_page)
            .offset((request.page - 1) * request.per_page)
            .subquery("page")
        )
        parts = [
            select(
                literal("", String).label("facet"),
                page.c.type.label("value"),
                page.c.id,
                page.c.idea_id,
                page.c.score,
                page.c.position.label("number"),
            ),
            select(
                literal(TOTAL, String),
                literal("", String),
                literal(0, Integer),
                literal(0, Integer),
                literal(0.0, Float),
                func.count(),
            ).select_from(hits),
        ]
        for name in FILTER_FIELDS:
            facet = select(
                literal(name, String),
                hits.c[name],
                literal(0, Integer),
                literal(0, Integer),
                literal(0.0, Float),
                func.count(),
            ).group_by(hits.c[name])
            if bound is not None:
                facet = facet.where(hits.c.place <= bound)
            parts.append(facet)
        rows = db.session.execute(union_all(*parts)).all()
        facets = {name: {} for name in FILTER_FIELDS}
        page_rows = []
        total = 0
        for row in rows:
            if row.facet == TOTAL:
                total = int(row.number)
            elif row.facet:
                if row.value:
                    facets[row.facet][str(row.value)] = int(row.number)
            else:
                page_rows.append(row)
        page_rows.sort(key=lambda row: row.number)
        hits_found = [SearchHit(r.value, r.id, r.idea_id, float(r.score or 0)) for r in page_rows]
        within = bound if bound is not None and total > bound else None
        return SearchResult(hits=hits_found, total=total, facets=facets, facets_within=within)
