"""API v1 for pictures and files (SPEC 16): upload one, to name in an idea or comment."""

from flask import jsonify, request
from flask_babel import gettext as _

from portal import access
from portal.api.views import bp, viewer
from portal.errors import Invalid
from portal.files import service as files
from portal.guards import guard
from portal.ratelimits import new_account_limit


@bp.post("/files")
@guard(access.upload_refusal)
@new_account_limit("files")
def upload_file():
    """multipart/form-data with the file in a part named `file`: 201 with its Markdown, which
    an idea or comment of the same person then names (attached when that post is saved)."""
    upload = request.files.get("file")
    if upload is None:
        message = _("Send the file as multipart/form-data, in a part named `file`.")
        raise Invalid(message, {"file": [message]})
    stored = files.upload(viewer(), *files.read_upload(upload))
    return jsonify(files.describe(stored)), 201
