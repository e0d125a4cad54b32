"""The search-index queue: rows written in the same transaction as the change they follow."""

from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.timeutil import utcnow


class SearchTask(db.Model):
    """A document to (re)index or remove; draining is idempotent, so duplicates are harmless."""

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(16))
    doc_id: Mapped[int] = mapped_column(Integer)
    queued_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
