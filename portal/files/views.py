"""/files: the page script's upload, and every stored file, served as its holder allows."""

from urllib.parse import quote

from flask import Blueprint, Response, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from portal import access
from portal.errors import DomainError, Invalid
from portal.extensions import db
from portal.files import service
from portal.guards import guard
from portal.ratelimits import new_account_limit
from portal.responses import api_error

bp = Blueprint("files", __name__)

# Nothing served from /files runs or fetches anything in the portal's origin, even opened on
# its own: no scripts, no plugins, no forms, a unique origin (sandbox), nor framed elsewhere.
FILE_POLICY = "default-src 'none'; sandbox; frame-ancestors 'none'"


@bp.post("/files")
@guard(access.upload_refusal)
@new_account_limit("files")
def upload():
    """Upload from the idea and comment forms' script (CSRF token in X-CSRFToken): answers
    JSON, as the API does, errors included, so the script can show what went wrong."""
    try:
        upload_file = request.files.get("file")
        if upload_file is None:
            message = _("Choose a file to upload.")
            raise Invalid(message, {"file": [message]})
        stored = service.upload(current_user, *service.read_upload(upload_file))
    except DomainError as error:
        db.session.rollback()
        return api_error(error.status, error.message, error.fields, error.code)
    return jsonify(service.describe(stored)), 201


def _disposition(stored) -> str:
    """Pictures shown in place; anything else downloaded, never opened in the portal's origin.
    The name is already letters, digits, `.`, `-` and `_` (an ASCII fallback for the rest)."""
    how = "inline" if stored.is_image else "attachment"
    fallback = stored.name.encode("ascii", "replace").decode().replace("?", "_")
    return f"{how}; filename=\"{fallback}\"; filename*=UTF-8''{quote(stored.name)}"


@bp.get("/files/<int:file_id>/<name>")
def serve(file_id: int, name: str):
    """The file, to whoever may read the idea or comment holding it (404 for anyone else)."""
    stored = service.get_file(current_user, file_id, name)
    content_type = stored.content_type
    if content_type == "text/plain":
        content_type += "; charset=utf-8"  # checked to be UTF-8 when it was uploaded
    headers = {
        "Content-Disposition": _disposition(stored),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": FILE_POLICY,
        # Who may read it differs per viewer and may change (a post hidden): no shared cache,
        # and the browser asks again, cheaply, with the ETag.
        "Cache-Control": "private, no-cache",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    if stored.sha256 in request.if_none_match:
        response = Response(status=304, headers=headers)
    else:
        response = Response(service.contents(stored), content_type=content_type, headers=headers)
    response.set_etag(stored.sha256)
    return response
