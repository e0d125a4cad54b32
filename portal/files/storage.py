"""Where the bytes of stored files live, behind three calls: put, get, delete.

The default, `DatabaseStorage`, keeps them in the `file_blob` table, inside the transaction
that writes the file's row: several hosts share the files with nothing else to run, and a
request that fails leaves no bytes behind. A deployment that wants them elsewhere (a shared
directory, an object store) sets `FILES_STORAGE` to `package.module:ClassName`, a class built
with the app (`Class(app)`) that offers the same three calls, keyed by the file's id. Such a
store is outside the database transaction: a rolled-back upload may leave bytes behind there,
which it must tolerate (a key is never reused while its row exists).
"""

from importlib import import_module
from typing import Protocol

from flask import Flask, current_app

from portal.extensions import db
from portal.files.models import FileBlob


class Storage(Protocol):
    def put(self, file_id: int, data: bytes) -> None: ...

    def get(self, file_id: int) -> bytes | None: ...

    def delete(self, file_id: int) -> None: ...


class DatabaseStorage:
    """The bytes in `file_blob`, in the caller's transaction."""

    def __init__(self, app: Flask | None = None):
        self.app = app

    def put(self, file_id: int, data: bytes) -> None:
        db.session.add(FileBlob(file_id=file_id, data=data))

    def get(self, file_id: int) -> bytes | None:
        return db.session.scalar(db.select(FileBlob.data).where(FileBlob.file_id == file_id))

    def delete(self, file_id: int) -> None:
        db.session.execute(db.delete(FileBlob).where(FileBlob.file_id == file_id))


def init_storage(app: Flask) -> None:
    """Build the store FILES_STORAGE names ("database", or `module:Class`) once per app."""
    name = app.config.get("FILES_STORAGE") or "database"
    if name == "database":
        store = DatabaseStorage(app)
    else:
        module, _, attribute = name.partition(":")
        try:
            store = getattr(import_module(module), attribute)(app)
        except (ImportError, AttributeError, ValueError) as error:
            raise RuntimeError(
                f"FILES_STORAGE={name!r}: cannot load it ({error}); use 'database' or "
                "'package.module:ClassName'."
            ) from None
    app.extensions["file_storage"] = store


def storage() -> Storage:
    return current_app.extensions["file_storage"]
