"""A page of results: the list itself and what the pager needs."""

from dataclasses import dataclass
from math import ceil

from sqlalchemy import Select, func, select

from portal.errors import Invalid
from portal.extensions import db

MAX_PER_PAGE = 100


class Paged:
    """What the pager (`_pager.html`) reads of a page of results, from its `page`,
    `per_page` and `total`, and `more` where the total is only a lower bound."""

    more: bool | None = None

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.more if self.more is not None else self.page < self.pages


@dataclass
class Page(Paged):
    items: list
    page: int
    per_page: int
    total: int
    # False when `total` is only a lower bound (there are more than `total`); `more` then
    # says whether a next page exists, and `pages` is not known.
    total_exact: bool = True
    more: bool | None = None
    # Which of the items the reader supports, when the list was asked for it (idea lists,
    # `with_votes`).
    voted: set[int] | None = None


def parse_page_args(page, per_page, default_per_page: int = 20) -> tuple[int, int]:
    """Positive whole numbers or Invalid; per_page is clamped to MAX_PER_PAGE."""

    def positive(value, name: str, default: int) -> int:
        if value in (None, ""):
            return default
        try:
            number = int(str(value).strip())
        except ValueError:
            number = 0
        if number < 1 or not str(value).strip().isdigit():
            message = "Must be a positive whole number."
            raise Invalid(f"{name}: {message}", {name: [message]})
        return number

    page_number = positive(page, "page", 1)
    size = min(positive(per_page, "per_page", default_per_page), MAX_PER_PAGE)
    # Offsets beyond any real list would only make the database work for nothing.
    page_number = min(page_number, 1_000_000)
    return page_number, size


def page_of(query: Select, page: int, per_page: int) -> Page:
    """One page of an ordered `select()` of rows, with the exact total of what it matches."""
    counted = select(func.count()).select_from(query.order_by(None).subquery())
    total = db.session.scalar(counted) or 0
    rows = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(list(rows), page, per_page, total)
