"""Pictures and files (SPEC 16): upload, attach to the post that uses them, serve, delete.

An upload belongs to nobody but its uploader until an idea or comment of theirs that names it
(`/files/<id>/` in its Markdown) is saved: then that post holds it, for good, and the file is
read exactly as the post is (`access.can_read_file`). Editing the link out of the post keeps
the file attached (the post's earlier versions still show it) until the post is deleted by its
author or removed by a moderator, which deletes its files. Uploads no post took within
FILES_UNATTACHED_HOURS are pruned, a few at each upload.
"""

import hashlib
import logging
import re
from datetime import timedelta
from urllib.parse import quote

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, func, select, update

from portal import access
from portal.errors import Invalid, NotFound, refuse
from portal.extensions import db
from portal.files.content import check_upload
from portal.files.models import StoredFile
from portal.files.storage import storage
from portal.ideas.models import Idea
from portal.timeutil import utcnow

log = logging.getLogger(__name__)

# A link to a stored file in Markdown, relative or on the portal's own address.
FILE_LINK = re.compile(r"/files/(\d{1,10})/")
PRUNE_BATCH = 50


def _settings() -> dict:
    config = current_app.config
    return {
        "allowed": set(config["FILES_ALLOWED_TYPES"]),
        "max_bytes": config["FILES_MAX_BYTES"],
        "max_pixels": config["FILES_MAX_IMAGE_PIXELS"],
        "max_side": config["FILES_MAX_IMAGE_SIDE"],
    }


def upload(user, name, data: bytes) -> StoredFile:
    """Check, clean and store one upload of `user`'s; Invalid (field `file`) says what is
    wrong with it. Held by nobody until a post of theirs that names it is saved."""
    refuse(access.upload_refusal(user))
    prune_unattached()
    _refuse_too_many_waiting(user)  # before the cost of decoding a picture
    checked = check_upload(name, data, **_settings())
    stored = StoredFile(
        uploader_id=user.id,
        content_type=checked.content_type,
        size=len(checked.data),
        name=checked.name,
        sha256=hashlib.sha256(checked.data).hexdigest(),
        width=checked.width,
        height=checked.height,
        created_at=utcnow(),
    )
    db.session.add(stored)
    db.session.flush()
    storage().put(stored.id, checked.data)
    db.session.flush()
    log.info("user %s uploaded file %s (%s, %s bytes)", user.id, stored.id, stored.content_type,
             stored.size)  # fmt: skip
    return stored


def _refuse_too_many_waiting(user) -> None:
    """At most FILES_MAX_PENDING uploads of one person wait for a post at once: rate limits
    bind new accounts only, and without this any other could store upload after upload."""
    most = current_app.config["FILES_MAX_PENDING"]
    waiting = db.session.scalar(
        select(func.count(StoredFile.id)).where(
            StoredFile.uploader_id == user.id,
            StoredFile.idea_id.is_(None),
            StoredFile.comment_id.is_(None),
        )
    )
    if waiting >= most:
        message = ngettext(
            "You have %(num)s upload waiting for a post: post the idea or comment that uses it "
            "first (uploads no post uses are deleted after %(hours)s hours).",
            "You have %(num)s uploads waiting for a post: post the idea or comment that uses "
            "them first (uploads no post uses are deleted after %(hours)s hours).",
            waiting, hours=current_app.config["FILES_UNATTACHED_HOURS"],
        )  # fmt: skip
        raise Invalid(message, {"file": [message]})


def read_upload(upload_file) -> tuple[str, bytes]:
    """A werkzeug FileStorage's name and bytes, read no further than the size limit (one
    byte more, so that a larger file is refused as larger)."""
    limit = current_app.config["FILES_MAX_BYTES"]
    return upload_file.filename or "", upload_file.stream.read(limit + 1)


def with_uploads(user, body: str, uploads) -> str:
    """`body` with Markdown for each of `uploads` (files sent with a form, without
    JavaScript) appended; each is stored for `user`. Refused (field `files`) when one is."""
    uploads = [u for u in uploads or [] if u is not None and u.filename]
    if not uploads:
        return body
    most = current_app.config["FILES_MAX_PER_POST"]
    if len(uploads) > most:
        message = _("Attach at most %(num)s files at once.", num=most)
        raise Invalid(message, {"files": [message]})
    lines = []
    for upload_file in uploads:
        name, data = read_upload(upload_file)
        try:
            stored = upload(user, name, data)
        except Invalid as error:
            message = _("%(name)s: %(message)s", name=name or _("A file"), message=error.message)
            raise Invalid(message, {"files": [message]}) from None
        lines.append(markdown_for(stored))
    return (body.rstrip() + "\n\n" if body.strip() else "") + "\n\n".join(lines)


def url_of(stored: StoredFile) -> str:
    return f"/files/{stored.id}/{quote(stored.name)}"


def markdown_for(stored: StoredFile) -> str:
    """What the post's Markdown says to show it: a picture inline, anything else a link."""
    return f"{'!' if stored.is_image else ''}[{stored.name}]({url_of(stored)})"


def describe(stored: StoredFile) -> dict:
    """The upload's answer (page script and API alike)."""
    return {
        "id": stored.id,
        "url": url_of(stored),
        "name": stored.name,
        "content_type": stored.content_type,
        "size": stored.size,
        "markdown": markdown_for(stored),
    }


def _referenced_ids(text: str) -> set[int]:
    return {int(n) for n in FILE_LINK.findall(text or "") if 0 < int(n) < 2**31}


def attach_referenced(user, *, idea=None, comment=None, text: str) -> int:
    """Give the post the files its Markdown names that `user` uploaded and no post holds
    yet (one atomic UPDATE: two posts saved at once cannot both take one). How many."""
    ids = _referenced_ids(text)
    if not ids or user is None:
        return 0
    holder = {"idea_id": idea.id} if idea is not None else {"comment_id": comment.id}
    taken = db.session.execute(
        update(StoredFile)
        .where(
            StoredFile.id.in_(ids),
            StoredFile.uploader_id == user.id,
            StoredFile.idea_id.is_(None),
            StoredFile.comment_id.is_(None),
        )
        .values(**holder, attached_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    return taken or 0


def _delete(condition) -> int:
    ids = list(db.session.scalars(select(StoredFile.id).where(condition)))
    store = storage()
    for file_id in ids:
        store.delete(file_id)
    if ids:
        db.session.execute(
            delete(StoredFile)
            .where(StoredFile.id.in_(ids))
            .execution_options(synchronize_session=False)
        )
    return len(ids)


def delete_held_by(*, idea=None, comment=None) -> int:
    """A post deleted by its author or removed by a moderator takes its files along."""
    if idea is not None:
        count = _delete(StoredFile.idea_id == idea.id)
    else:
        count = _delete(StoredFile.comment_id == comment.id)
    if count:
        log.info("deleted %s files of %s", count,
                 f"idea {idea.id}" if idea is not None else f"comment {comment.id}")  # fmt: skip
    return count


def delete_dropped(post, text: str) -> int:
    """The files `post` (an idea or comment) holds that `text` no longer names. For a
    moderator's edit: an edit is how a moderator takes a picture that must not be shown
    (a face, an address) out of a post that may stay, and a file kept at its address would
    still be served to everyone who may read the post. (An author's own edit keeps them: the
    post's earlier versions show them.)"""
    holder = StoredFile.idea_id if isinstance(post, Idea) else StoredFile.comment_id
    named = _referenced_ids(text)
    condition = holder == post.id
    if named:
        condition &= StoredFile.id.not_in(named)
    count = _delete(condition)
    if count:
        log.info("deleted %s files edited out of %s %s", count, type(post).__name__, post.id)
    return count


def delete_unattached_of(user) -> int:
    """Uploads of `user` that no post holds (erasure: they are nobody's content)."""
    return _delete(
        (StoredFile.uploader_id == user.id)
        & StoredFile.idea_id.is_(None)
        & StoredFile.comment_id.is_(None)
    )


def prune_unattached() -> int:
    """Delete a batch of uploads that no post took in time."""
    hours = current_app.config["FILES_UNATTACHED_HOURS"]
    cutoff = utcnow() - timedelta(hours=hours)
    ids = list(
        db.session.scalars(
            select(StoredFile.id)
            .where(
                StoredFile.idea_id.is_(None),
                StoredFile.comment_id.is_(None),
                StoredFile.created_at < cutoff,
            )
            .limit(PRUNE_BATCH)
        )
    )
    return _delete(StoredFile.id.in_(ids)) if ids else 0


def get_file(user, file_id, name) -> StoredFile:
    """The file at /files/<id>/<name> if `user` may read it; NotFound otherwise, exactly as
    for a file that does not exist."""
    stored = db.session.get(StoredFile, file_id) if 0 < file_id < 2**31 else None
    if stored is None or stored.name != name or not access.can_read_file(user, stored):
        raise NotFound(_("No such file."))
    return stored


def contents(stored: StoredFile) -> bytes:
    data = storage().get(stored.id)
    if data is None:
        raise NotFound(_("No such file."))
    return data
