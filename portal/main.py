"""Site-wide routes that belong to no domain."""

from flask import Blueprint
from sqlalchemy import text

from portal.extensions import db

bp = Blueprint("main", __name__)


@bp.route("/healthz")
def healthz():
    """200 `ok` when the database answers; 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not healthy"
        db.session.rollback()
        return "database unavailable", 503, {"Content-Type": "text/plain; charset=utf-8"}
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}
