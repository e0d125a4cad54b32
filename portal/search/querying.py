"""What a search asks for: text, filters (typed `field:value` or from facet links), order."""

import re
from dataclasses import dataclass, field

from portal.ideas.models import IDEA_KINDS, STATUSES
from portal.search.documents import DOC_TYPES

FILTER_FIELDS = ("type", "category", "status", "kind")
ORDERS = ("relevance", "votes", "newest")
MAX_QUERY_CHARS = 500
MAX_TERMS = 24
_FILTER = re.compile(r"(?<!\S)(type|category|status|kind):(\"[^\"]*\"|\S+)", re.IGNORECASE)
_WORD = re.compile(r"\w+", re.UNICODE)
ALLOWED_VALUES = {"type": DOC_TYPES, "status": STATUSES, "kind": IDEA_KINDS}


@dataclass
class Scope:
    """Who is searching, as the index sees it (built by `access.search_scope`)."""

    audiences: tuple[str, ...]
    confidential: str  # "all", "none" or an organization id (as text)
    include_hidden: bool


@dataclass
class SearchRequest:
    text: str
    filters: dict[str, str] = field(default_factory=dict)
    order: str = "relevance"
    page: int = 1
    per_page: int = 20
    # Any word may match (similar-ideas box); otherwise every word must.
    match_any: bool = False
    # Matches past this many need not be counted, ranked or paged to (SEARCH_COUNT_BOUND):
    # a backend may stop at bound + 1. None: count them all.
    bound: int | None = None

    @property
    def words(self) -> list[str]:
        return _WORD.findall(self.text)[:MAX_TERMS]

    @property
    def is_empty(self) -> bool:
        return not self.words and not self.phrases

    @property
    def phrases(self) -> list[str]:
        return [p for p in re.findall(r'"([^"]+)"', self.text) if _WORD.search(p)][:4]

    @property
    def prefix(self) -> str | None:
        """The last typed word, matched as a prefix (never a substring wildcard)."""
        if not self.text or self.text[-1].isspace() or self.text.rstrip().endswith('"'):
            return None
        words = self.words
        return words[-1].lower() if words and len(words[-1]) >= 2 else None


@dataclass
class SearchHit:
    type: str
    id: int
    idea_id: int
    score: float
    snippet: str = ""


@dataclass
class SearchResult:
    hits: list[SearchHit]
    # Every match, or (with a request's bound) at most bound + 1: "more than bound".
    total: int
    facets: dict[str, dict[str, int]]
    # The facets count only the first this many matches (in the request's order), not all.
    facets_within: int | None = None


def parse(text: str | None, filters: dict | None = None, **options) -> SearchRequest:
    """Split `field:value` filters out of the typed text; explicit filters win."""
    text = (text or "")[:MAX_QUERY_CHARS]
    found: dict[str, str] = {}

    def take(match: re.Match) -> str:
        found[match.group(1).lower()] = match.group(2).strip('"').lower()
        return " "

    text = _FILTER.sub(take, text)
    for name, value in (filters or {}).items():
        if value:
            found[name] = str(value).strip().lower()
    clean = {}
    for name, value in found.items():
        allowed = ALLOWED_VALUES.get(name)
        if name in FILTER_FIELDS and value and (allowed is None or value in allowed):
            clean[name] = value[:60]
    return SearchRequest(text=text.strip(), filters=clean, **options)
