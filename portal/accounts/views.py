"""Sign-in, registration, sign-out and the account page."""

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from portal.accounts import service
from portal.accounts.forms import LoginForm, PasswordForm, ProfileForm, RegisterForm, TokenForm
from portal.accounts.models import Organization
from portal.errors import Conflict, Invalid
from portal.extensions import db, limiter
from portal.forms import EmptyForm, apply_domain_errors, choices
from portal.responses import safe_next

bp = Blueprint("accounts", __name__)


def _failed_sign_in(response) -> bool:
    # A successful sign-in redirects; only failures count against the limits.
    return response.status_code != 302


def _account_key() -> str:
    return "login-account:" + (request.form.get("email") or "").strip().lower()[:254]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
    key_func=get_remote_address,
    methods=["POST"],
    deduct_when=_failed_sign_in,
    scope="login-address",
    error_message="too many failed sign-ins from your address.",
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_failed_sign_in,
    scope="login-account",
    error_message="too many failed sign-ins for this account.",
)
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = service.authenticate(form.email.data, form.password.data)
        if user is not None:
            next_url = safe_next(form.next.data, url_for("ideas.index"))
            # A fresh session on sign-in: nothing planted before it survives.
            session.clear()
            login_user(user, remember=form.remember.data)
            flash(f"Welcome back, {user.display_name}.", "success")
            return redirect(next_url)
        form.form_errors.append("E-mail or password is not right.")
    return render_template("accounts/login.html", form=form)


def _organization_choices() -> list[tuple[int, str]]:
    orgs = db.session.scalars(select(Organization).order_by(Organization.name))
    return choices([(0, "— choose —")] + [(org.id, org.name) for org in orgs])


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("ideas.index"))
    form = RegisterForm()
    form.organization.choices = _organization_choices()
    if form.validate_on_submit():
        try:
            user = service.register(
                form.email.data,
                form.password.data,
                form.display_name.data,
                form.kind.data,
                form.organization.data or None,
            )
        except Conflict as error:
            form.email.errors = list(form.email.errors) + [error.message]
        except Invalid as error:
            apply_domain_errors(form, error)
        else:
            db.session.commit()
            session.clear()
            login_user(user)
            if user.is_pending_supplier:
                flash(
                    "Welcome! Your supplier account waits for approval by our staff; "
                    "until then you see what customers see.",
                    "info",
                )
            else:
                flash("Welcome! Your account is ready.", "success")
            return redirect(url_for("ideas.index"))
    return render_template("accounts/register.html", form=form)


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        logout_user()
        session.clear()
        flash("You are signed out.", "info")
        return redirect(url_for("ideas.index"))
    return render_template("accounts/logout.html", form=form)


@bp.route("/account", methods=["GET"])
@login_required
def account():
    return _render_account()


def _render_account(profile=None, password=None, token_form=None, new_token=None, status=200):
    profile = profile or ProfileForm(
        display_name=current_user.display_name, email_preference=current_user.email_preference
    )
    return (
        render_template(
            "accounts/account.html",
            profile=profile,
            password=password or PasswordForm(),
            token_form=token_form or TokenForm(),
            tokens=service.user_tokens(current_user),
            new_token=new_token,
            revoke_form=EmptyForm(),
        ),
        status,
    )


@bp.route("/account/profile", methods=["POST"])
@login_required
def update_profile():
    form = ProfileForm()
    if form.validate_on_submit():
        try:
            service.update_profile(current_user, form.display_name.data, form.email_preference.data)
        except Invalid as error:
            apply_domain_errors(form, error)
        else:
            db.session.commit()
            flash("Profile saved.", "success")
            return redirect(url_for("accounts.account"))
    return _render_account(profile=form, status=422)


@bp.route("/account/password", methods=["POST"])
@login_required
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            service.change_password(
                current_user, form.current_password.data, form.new_password.data
            )
        except Invalid as error:
            apply_domain_errors(form, error)
        else:
            db.session.commit()
            # The session token changed: sign in again under the new one.
            login_user(current_user)
            flash("Password changed. Other sessions have been signed out.", "success")
            return redirect(url_for("accounts.account"))
    return _render_account(password=form, status=422)


@bp.route("/account/tokens", methods=["POST"])
@login_required
def create_token():
    form = TokenForm()
    if form.validate_on_submit():
        _token, secret = service.create_token(current_user, form.name.data)
        db.session.commit()
        return _render_account(new_token=secret)
    return _render_account(token_form=form, status=422)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    if EmptyForm().validate_on_submit():
        service.revoke_token(current_user, token_id)
        db.session.commit()
        flash("Token revoked.", "success")
    return redirect(url_for("accounts.account"))
