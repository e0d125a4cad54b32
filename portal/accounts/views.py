"""Sign-in, registration, sign-out and the account page."""

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from werkzeug.exceptions import TooManyRequests

from portal import access, ratelimits, security_headers
from portal.accounts import email_flows, oidc, service, sso
from portal.accounts.forms import (
    DeleteAccountForm,
    EmailChangeForm,
    ForgotPasswordForm,
    LoginForm,
    PasswordForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    TokenForm,
)
from portal.accounts.models import Organization
from portal.database import reading, release_read
from portal.errors import Conflict, DomainError, Invalid
from portal.extensions import db
from portal.forms import EmptyForm, apply_domain_errors, choices
from portal.guards import guard
from portal.privacy import erasure
from portal.privacy import export as data_export
from portal.responses import safe_next

bp = Blueprint("accounts", __name__)


def _sign_in(user, remember: bool = False) -> None:
    # A fresh session on sign-in: nothing planted before it survives.
    session.clear()
    login_user(user, remember=remember)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        # Counted before the password is checked (429 over a limit): requests sent at once
        # cannot all pass. Per account, whatever the spelling of the address.
        config = current_app.config
        address_key = get_remote_address() or "unknown"
        account_key = service.sign_in_key(form.email.data)
        ratelimits.count_attempt(
            config["LOGIN_LIMIT_PER_ADDRESS"],
            "login-address",
            address_key,
            _("too many failed sign-ins from your address."),
        )
        try:
            ratelimits.count_attempt(
                config["LOGIN_LIMIT_PER_ACCOUNT"],
                "login-account",
                account_key,
                _("too many failed sign-ins for this account."),
            )
        except TooManyRequests:
            # Refused unchecked: not a failed sign-in from this address.
            ratelimits.give_back(config["LOGIN_LIMIT_PER_ADDRESS"], "login-address", address_key)
            raise
        user = service.authenticate(form.email.data, form.password.data)
        if user is not None:
            # Only failures count in the end: the owner who got in starts afresh on the
            # account, and this attempt is given back to the address.
            ratelimits.clear(config["LOGIN_LIMIT_PER_ACCOUNT"], "login-account", account_key)
            ratelimits.give_back(config["LOGIN_LIMIT_PER_ADDRESS"], "login-address", address_key)
            next_url = safe_next(form.next.data, url_for("ideas.index"))
            _sign_in(user, remember=form.remember.data)
            flash(_("Welcome back, %(name)s.", name=user.display_name), "success")
            return redirect(next_url)
        form.form_errors.append(_("E-mail or password is not right."))
    return render_template("accounts/login.html", form=form, providers=sso.providers())


# -- single sign-on (SPEC 15) ----------------------------------------------------------------

# The pages that show "Sign in with …" forms, whose answer redirects to the provider.
SSO_FORM_PAGES = frozenset({"accounts.login", "accounts.register"})


@bp.after_request
def _allow_forms_to_providers(response):
    """Before the app's security headers (which keep a policy already set): these pages'
    Content-Security-Policy lets their forms lead to the providers (form-action)."""
    if request.endpoint in SSO_FORM_PAGES and response.mimetype == "text/html" and sso.providers():
        policy = security_headers.policy_allowing_forms_to(oidc.form_targets())
        response.headers["Content-Security-Policy"] = policy
    return response


def _sso_error(error: DomainError):
    """A clear page with the way back to the sign-in page; nothing was written."""
    return render_template("accounts/sso_error.html", message=error.message,
                           status=error.status), error.status  # fmt: skip


@bp.route("/login/sso/<slug>", methods=["POST"])
def sso_start(slug: str):
    """Off to the provider's sign-in page. A POST with the CSRF token: no other site can
    start a sign-in in someone's browser."""
    try:
        provider = sso.provider_named(slug)
        session["sso_next"] = safe_next(request.form.get("next"), "")
        release_read()  # no lock held while the provider answers
        return oidc.start(provider)
    except DomainError as error:
        return _sso_error(error)


@bp.route("/login/sso/<slug>/callback", methods=["GET"])
def sso_callback(slug: str):
    """Back from the provider: checked (oidc), then the account found, joined or made (sso)."""
    try:
        provider = sso.provider_named(slug)
        release_read()
        claims = oidc.finish(provider)
        user = sso.sign_in(provider, claims)
    except DomainError as error:
        return _sso_error(error)
    next_url = safe_next(session.get("sso_next"), url_for("ideas.index"))
    _sign_in(user)
    flash(_("Signed in with %(provider)s. Welcome, %(name)s.", provider=provider["name"],
            name=user.display_name), "success")  # fmt: skip
    return redirect(next_url)


def _organization_choices() -> list[tuple[int, str]]:
    orgs = db.session.scalars(select(Organization).order_by(Organization.name))
    return choices([(0, "— choose —")] + [(org.id, org.name) for org in orgs])


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("ideas.index"))
    form = RegisterForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"), "")
    with reading():  # a POST must not hold the write lock through the password hash
        form.organization.choices = _organization_choices()
    if form.validate_on_submit():
        ratelimits.count_attempt(current_app.config["REGISTER_LIMIT_PER_ADDRESS"],
                                 "register-address", get_remote_address() or "unknown",
                                 _("too many registrations from your address."))  # fmt: skip
        try:
            email = email_flows.register(
                form.email.data,
                form.password.data,
                form.display_name.data,
                form.kind.data,
                form.organization.data or None,
                next_path=safe_next(form.next.data, "") or None,
            )
        except Invalid as error:
            apply_domain_errors(form, error)
        else:
            # The same page, status and session whether or not the address had an account:
            # nobody is signed in here; the link in the e-mail does that.
            return render_template("accounts/registered.html", email=email)
    return render_template("accounts/register.html", form=form, providers=sso.providers())


@bp.route("/verify/<token>", methods=["GET", "POST"])
def verify_email(token: str):
    """GET shows a button (mail scanners open links); only its POST confirms."""
    form = EmptyForm()
    user = email_flows.user_to_verify(token)
    if user is None:
        return _invalid_link()
    if request.method == "POST" and form.validate_on_submit():
        user, confirmed_now = email_flows.confirm_email(token)
        next_url = safe_next(request.args.get("next"), url_for("ideas.index"))
        if not confirmed_now:
            flash(_("Your e-mail address was confirmed already."), "info")
            return redirect(next_url)
        _sign_in(user)
        if user.is_pending_supplier:
            flash(_("Your address is confirmed. Your supplier account still waits for approval "
                    "by our staff; until then you see what customers see."), "info")  # fmt: skip
        else:
            flash(_("Your address is confirmed: welcome! Your account is ready."), "success")
        return redirect(next_url)
    return render_template("accounts/verify.html", form=form, email=user.email,
                           done=user.email_verified_at is not None)  # fmt: skip


@bp.route("/account/verify", methods=["POST"])
@guard()
def resend_verification():
    if EmptyForm().validate_on_submit():
        try:
            email_flows.resend_verification(current_user)
        except Conflict as error:
            flash(error.message, "info")
        else:
            flash(_("We sent a new link to %(email)s.", email=current_user.email), "success")
    return redirect(safe_next(request.form.get("next"), url_for("accounts.account")))


def _invalid_link():
    return render_template("accounts/invalid_link.html", message=email_flows.INVALID_LINK), 404


@bp.route("/login/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        ratelimits.count_attempt(
            current_app.config["PASSWORD_RESET_LIMIT_PER_ADDRESS"],
            "reset-address",
            get_remote_address() or "unknown",
            _("too many password reset requests from your address."),
        )
        email_flows.request_password_reset(form.email.data)
        # The same answer whether or not the address has an account.
        return render_template("accounts/forgot_sent.html", email=form.email.data.strip())
    return render_template("accounts/forgot.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    form = ResetPasswordForm()
    with reading():
        valid = email_flows.user_to_reset(token) is not None
    if not valid:
        return _invalid_link()
    if form.validate_on_submit():
        try:
            user = email_flows.reset_password(token, form.new_password.data)
        except Invalid as error:
            if not error.fields:
                return _invalid_link()
            apply_domain_errors(form, error)
        else:
            _sign_in(user)
            flash(_("Your new password is set. Every other session was signed out."), "success")
            return redirect(url_for("ideas.index"))
    return render_template("accounts/reset.html", form=form)


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        logout_user()
        session.clear()
        flash(_("You are signed out."), "info")
        return redirect(url_for("ideas.index"))
    return render_template("accounts/logout.html", form=form)


@bp.route("/account", methods=["GET"])
@guard()
def account():
    return _render_account()


def _render_account(
    profile=None, password=None, token_form=None, new_token=None, email_form=None, status=200
):
    profile = profile or ProfileForm(
        display_name=current_user.display_name,
        email_preference=current_user.email_preference,
        language=current_user.language or "",
        timezone=current_user.timezone or "",
    )
    return (
        render_template(
            "accounts/account.html",
            profile=profile,
            password=password or PasswordForm(),
            email_form=email_form or EmailChangeForm(),
            token_form=token_form or TokenForm(),
            tokens=service.user_tokens(current_user),
            new_token=new_token,
            revoke_form=EmptyForm(),
            identities=sso.identities_of(current_user),
        ),
        status,
    )


@bp.route("/account/profile", methods=["POST"])
@guard()
def update_profile():
    form = ProfileForm()
    if form.validate_on_submit():
        try:
            service.update_profile(
                current_user,
                form.display_name.data,
                form.email_preference.data,
                language=form.language.data,
                timezone=form.timezone.data,
            )
        except Invalid as error:
            apply_domain_errors(form, error)
        else:
            flash(_("Profile saved."), "success")
            return redirect(url_for("accounts.account"))
    return _render_account(profile=form, status=422)


@bp.route("/account/availability", methods=["POST"])
@guard(access.takes_assignments_refusal)
def update_availability():
    form = EmptyForm()
    if form.validate_on_submit():
        available = request.form.get("available") == "yes"
        service.set_available(current_user, available)
        flash(_("You take new work.") if available else _("You are away: new work goes to others."),
              "success")  # fmt: skip
    return redirect(url_for("accounts.account"))


@bp.route("/account/password", methods=["POST"])
@guard()
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
            # The session token changed: sign in again under the new one. The account itself,
            # not the `current_user` proxy: stored as the request's user, the proxy would stand
            # for itself, and the next look at `current_user` would recurse until it crashed.
            login_user(current_user._get_current_object())
            flash(_("Password changed. Other sessions have been signed out."), "success")
            return redirect(url_for("accounts.account"))
    return _render_account(password=form, status=422)


@bp.route("/account/email", methods=["POST"])
@guard()
def change_email():
    form = EmailChangeForm()
    if form.validate_on_submit():
        try:
            new_email = email_flows.request_email_change(
                current_user, form.email.data, form.password.data, form.current_email.data
            )
        except Invalid as error:
            apply_domain_errors(form, error)
        else:
            flash(_("We sent a link to %(email)s: your address changes when you open it.",
                    email=new_email), "success")  # fmt: skip
            return redirect(url_for("accounts.account"))
    return _render_account(email_form=form, status=422)


@bp.route("/account/email/<token>", methods=["GET", "POST"])
def confirm_email_change(token: str):
    """GET shows a button (mail scanners open links); only its POST changes the address."""
    form = EmptyForm()
    found = email_flows.change_to_confirm(token)
    if found is None:
        return _invalid_link()
    if request.method == "POST" and form.validate_on_submit():
        try:
            user = email_flows.confirm_email_change(token)
        except Conflict as error:
            return render_template("accounts/invalid_link.html", message=error.message), 409
        flash(_("Your e-mail address is now %(email)s.", email=user.email), "success")
        signed_in = current_user.is_authenticated and current_user.id == user.id
        return redirect(url_for("accounts.account" if signed_in else "accounts.login"))
    return render_template("accounts/confirm_email_change.html", form=form, email=found[1])


@bp.route("/account/tokens", methods=["POST"])
@guard()
def create_token():
    form = TokenForm()
    if form.validate_on_submit():
        _token, secret = service.create_token(current_user, form.name.data)
        return _render_account(new_token=secret)
    return _render_account(token_form=form, status=422)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@guard()
def revoke_token(token_id: int):
    if EmptyForm().validate_on_submit():
        service.revoke_token(current_user, token_id)
        flash(_("Token revoked."), "success")
    return redirect(url_for("accounts.account"))


@bp.route("/account/export", methods=["GET"])
@guard()
def export_data():
    """Everything the portal holds about the signed-in person, as a JSON download."""
    response = jsonify(data_export.export(current_user))
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{data_export.filename(current_user)}"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/account/delete", methods=["GET", "POST"])
@guard()
def delete_account():
    """Erase one's own account (SPEC 15), after saying what goes and what stays."""
    form = DeleteAccountForm()
    refusal = access.erase_refusal(current_user)
    if request.method == "POST" and form.validate_on_submit() and not refusal:
        try:
            erasure.erase_own_account(
                current_user, password=form.password.data, email=form.email.data
            )
        except Invalid as error:
            apply_domain_errors(form, error)
        else:
            logout_user()
            session.clear()
            flash(_("Your account is erased. Your ideas and comments stay, by "
                    "“Former member”. Goodbye, and thank you."), "info")  # fmt: skip
            return redirect(url_for("ideas.index"))
    status = 422 if request.method == "POST" else 200
    if refusal:
        status = 409 if request.method == "POST" else 200
    return render_template("accounts/delete.html", form=form, refusal=refusal), status
