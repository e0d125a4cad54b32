"""StoredFile (what was uploaded, by whom, held by which idea or comment) and FileBlob."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, LargeBinary, String, text
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.timeutil import utcnow


class StoredFile(db.Model):
    """An uploaded picture or file. Until the idea or comment that uses it is saved it has no
    holder and only its uploader may read it; then it has exactly its holder's visibility."""

    __tablename__ = "stored_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    uploader_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    # Decided from the bytes (never the name or the client's header); images are re-encoded.
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120))
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # One holder at most: the idea or the comment whose Markdown first used it when saved.
    idea_id: Mapped[int | None] = mapped_column(
        ForeignKey("idea.id", ondelete="CASCADE"), index=True
    )
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comment.id", ondelete="CASCADE"), index=True
    )
    attached_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        # The prune of uploads nobody attached walks only those.
        Index(
            "ix_stored_file_unattached",
            "created_at",
            sqlite_where=text("idea_id IS NULL AND comment_id IS NULL"),
            postgresql_where=text("idea_id IS NULL AND comment_id IS NULL"),
        ),
        # An address, once given, is never another file's: SQLite would otherwise give the
        # number of a deleted newest file to the next upload.
        {"sqlite_autoincrement": True},
    )

    @property
    def attached(self) -> bool:
        return self.idea_id is not None or self.comment_id is not None

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class FileBlob(db.Model):
    """The bytes of a stored file, apart from its description (DatabaseStorage): listing and
    checking files never loads them."""

    __tablename__ = "file_blob"

    file_id: Mapped[int] = mapped_column(
        ForeignKey("stored_file.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[bytes] = mapped_column(LargeBinary)
