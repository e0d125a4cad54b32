"""Site-wide routes that belong to no domain."""

import logging

from flask import Blueprint, jsonify, make_response, render_template
from sqlalchemy import text

from portal.extensions import db
from portal.security_headers import runtime_styles_policy

bp = Blueprint("main", __name__)
log = logging.getLogger(__name__)


@bp.route("/healthz")
def healthz():
    """200 `ok` when the database answers a `SELECT 1`; 503 with a JSON body otherwise.

    Cheap enough for a load balancer to poll every second: one round trip on a pooled
    connection, no session user, no template.
    """
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()  # end the read transaction now (SQLite snapshots, PG idle)
    except Exception as error:  # any database failure means "not healthy"
        db.session.rollback()
        log.warning("healthz: the database does not answer: %s", type(error).__name__)
        body = {"status": "unavailable", "database": "unavailable", "error": type(error).__name__}
        return jsonify(body), 503, {"Cache-Control": "no-store"}
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@bp.route("/api")
def api_reference():
    """The API reference, drawn in the browser by Redoc from /api/v1/openapi.json."""
    nonce, policy = runtime_styles_policy()
    response = make_response(render_template("api/reference.html", style_nonce=nonce))
    response.headers["Content-Security-Policy"] = policy
    return response


@bp.route("/privacy")
def privacy():
    """What the portal stores about people, why, for how long, and how to take it or erase it."""
    return render_template("privacy.html")
