"""The feedback widget (SPEC 12): `/widget`, a small page the company's own sites frame.

Only the origins in `WIDGET_ORIGINS` may frame it (the Content-Security-Policy's
`frame-ancestors`, for this path alone). Inside another site's frame the portal's session
cookie is a third-party cookie that browsers hold back, so the form cannot carry a CSRF token
tied to a session; it is protected by its Origin instead: a post is taken only when the
browser says it comes from the portal's own origin (the framed page), which another site
cannot forge. A signed-in visitor (same site, cookie sent) just writes; anyone else gives an
e-mail address. Each client address and each sender address is limited like registration.
"""

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal import access
from portal.errors import DomainError
from portal.extensions import db
from portal.forms import apply_domain_errors, no_control_characters
from portal.intake import service as intake
from portal.ratelimits import count_attempt

bp = Blueprint("widget", __name__)


class WidgetForm(FlaskForm):
    class Meta:
        csrf = False  # see the module docstring: the Origin check stands in for it

    body = TextAreaField(_l("Your feedback"), validators=[DataRequired(), Length(max=5000),
                                                     no_control_characters])  # fmt: skip
    email = EmailField(_l("Your e-mail"), validators=[Optional(), Length(max=254)])
    name = StringField(_l("Your name (optional)"), validators=[Optional(), Length(max=120),
                                                          no_control_characters])  # fmt: skip
    page = StringField(validators=[Optional(), Length(max=2000), no_control_characters])


def frame_ancestors() -> str:
    origins = [o for o in current_app.config.get("WIDGET_ORIGINS", "").split() if o]
    clean = [o.rstrip("/") for o in origins if urlsplit(o).scheme in ("http", "https")]
    return " ".join(["'self'", *clean])


def _own_origin() -> str:
    return request.host_url.rstrip("/")


def _from_own_origin() -> bool:
    origin = request.headers.get("Origin")
    if origin:
        return origin.rstrip("/") == _own_origin()
    referer = request.headers.get("Referer", "")
    return referer.startswith(_own_origin() + "/")


def _framed(template: str, status: int = 200, **context):
    response = current_app.make_response((render_template(template, **context), status))
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; "
        f"frame-ancestors {frame_ancestors()}"
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/widget", methods=["GET", "POST"])
def widget():
    form = WidgetForm()
    signed_in = access.signed_in(current_user)
    if request.method == "GET":
        form.page.data = request.args.get("page", "")[:2000]
        return _framed("intake/widget.html", form=form, signed_in=signed_in)
    if not _from_own_origin():
        abort(403, _("Feedback is taken only from the portal's own form."))
    count_attempt(current_app.config["INTAKE_LIMIT_PER_SENDER"], "widget-address",
                  request.remote_addr or "unknown",
                  _("Too much feedback from your network: try again later."))  # fmt: skip
    refusal = access.write_refusal(current_user) if signed_in else None
    if refusal:
        form.form_errors.append(str(refusal))
    elif form.validate_on_submit():
        email = current_user.email if signed_in else form.email.data
        name = current_user.display_name if signed_in else (form.name.data or "")
        if not email:
            form.email.errors = [_("Your e-mail address, so we can answer.")]
        else:
            count_attempt(current_app.config["INTAKE_LIMIT_PER_SENDER"], "intake-sender",
                          email.strip().lower(),
                          _("Too much feedback from this address: try again later."))  # fmt: skip
            page = (form.page.data or "").strip()
            try:
                intake.receive(source="widget", sender_email=email, sender_name=name,
                               subject=f"Feedback on {page}"[:300] if page else "Feedback",
                               body=form.body.data, sender_verified=signed_in)  # fmt: skip
            except DomainError as error:
                db.session.rollback()
                apply_domain_errors(form, error)
            else:
                return _framed("intake/widget_thanks.html")
    return _framed("intake/widget.html", 422, form=form, signed_in=signed_in)
