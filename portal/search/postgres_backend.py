"""The PostgreSQL backend: full-text search over the live tables (for several hosts).

Ideas and comments carry a stored `search_vector` (a generated column with a GIN index,
migration 0006), so PostgreSQL matches and ranks without parsing any text again; there is
nothing to keep in sync, and visibility is the very SQL filter the lists use.
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

from portal import access
from portal.extensions import db
from portal.ideas.models import Category, Comment, Idea
from portal.search.querying import FILTER_FIELDS, SearchHit, SearchRequest, SearchResult

# Stored generated columns with GIN indexes (migration 0006): parsed once, when written.
IDEA_VECTOR = "idea.search_vector"
COMMENT_VECTOR = "comment.search_vector"
_SAFE_WORD = re.compile(r"^\w+$", re.UNICODE)


def tsquery_text(request: SearchRequest) -> str:
    """`to_tsquery` syntax built from plain words only: all must match, last one as prefix."""
    words = [w.lower() for w in request.words if _SAFE_WORD.match(w)]
    terms = [f"'{w}'" for w in words]
    if request.prefix and terms:
        terms[-1] = f"'{words[-1]}':*"
    for phrase in request.phrases:
        phrase_words = [w.lower() for w in re.findall(r"\w+", phrase)]
        if phrase_words:
            terms.append("(" + " <-> ".join(f"'{w}'" for w in phrase_words) + ")")
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

    def _selects(self, request: SearchRequest, idea_condition, comment_condition):
        text = tsquery_text(request)
        query = func.to_tsquery(literal_column("'english'::regconfig"), literal(text, String))
        idea_vector = literal_column(IDEA_VECTOR)
        comment_vector = literal_column(COMMENT_VECTOR)
        filters = request.filters
        idea_where = [idea_condition, Idea.merged_into_id.is_(None)]
        # A merged duplicate's comments are found under the original (see documents.py).
        comment_where = [idea_condition, comment_condition, Comment.deleted_at.is_(None)]
        if text:
            idea_where.append(idea_vector.op("@@")(query))
            comment_where.append(comment_vector.op("@@")(query))
        for name in ("status", "kind"):
            if name in filters:
                idea_where.append(getattr(Idea, name) == filters[name])
                comment_where.append(getattr(Idea, name) == filters[name])
        if "category" in filters:
            idea_where.append(Category.slug == filters["category"])
            comment_where.append(Category.slug == filters["category"])
        rank_idea = func.ts_rank(idea_vector, query) if text else literal(0.0, Float)
        rank_comment = func.ts_rank(comment_vector, query) if text else literal(0.0, Float)
        ideas = (
            select(
                literal("idea", String).label("type"),
                Idea.id.label("id"),
                Idea.id.label("idea_id"),
                rank_idea.label("score"),
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
                rank_comment.label("score"),
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
        wanted = filters.get("type")
        parts = [s for t, s in (("idea", ideas), ("comment", comments)) if wanted in (None, t)]
        # Materialized: the page and the four facet counts below read the matches once.
        return union_all(*parts).cte("hits").prefix_with("MATERIALIZED") if parts else None

    def search(self, request: SearchRequest, user) -> SearchResult:
        """One page of hits, the total and facet counts, within what `user` may see.

        One statement: the matches are found (and ranked) once, then both the page and the
        facet counts are read from them.
        """
        hits = self._selects(
            request,
            access.idea_visibility(user, include_hidden_own=False),
            access.comment_visibility(user),
        )
        if hits is None:
            return SearchResult([], 0, {name: {} for name in FILTER_FIELDS})
        order = {
            "votes": (hits.c.votes.desc(), hits.c.created.desc()),
            "newest": (hits.c.created.desc(),),
        }.get(request.order, (hits.c.score.desc(), hits.c.votes.desc()))
        order = (*order, hits.c.type, hits.c.id.desc())
        page = (
            select(
                hits.c.type,
                hits.c.id,
                hits.c.idea_id,
                hits.c.score,
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
            )
        ]
        for name in FILTER_FIELDS:
            parts.append(
                select(
                    literal(name, String),
                    hits.c[name],
                    literal(0, Integer),
                    literal(0, Integer),
                    literal(0.0, Float),
                    func.count(),
                ).group_by(hits.c[name])
            )
        rows = db.session.execute(union_all(*parts)).all()
        facets = {name: {} for name in FILTER_FIELDS}
        page_rows = []
        for row in rows:
            if row.facet:
                if row.value:
                    facets[row.facet][str(row.value)] = int(row.number)
            else:
                page_rows.append(row)
        page_rows.sort(key=lambda row: row.number)
        total = sum(facets["type"].values())
        hits_found = [SearchHit(r.value, r.id, r.idea_id, float(r.score or 0)) for r in page_rows]
        return SearchResult(hits=hits_found, total=total, facets=facets)
