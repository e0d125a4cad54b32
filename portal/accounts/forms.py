"""Sign-in, registration and account forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from portal.accounts.service import PASSWORD_MIN
from portal.forms import choices, no_control_characters
from portal.i18n import LANGUAGES, timezone_choices


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Remember me"))
    next = HiddenField()


class RegisterForm(FlaskForm):
    # Where to go once the address is confirmed (e.g. the idea "sign in to vote" came from).
    next = HiddenField()
    display_name = StringField(
        _l("Display name"),
        validators=[DataRequired(), Length(max=80), no_control_characters],
        description=_l("Shown next to what you post."),
    )
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(min=PASSWORD_MIN, max=200)],
        description=_l("At least %(num)s characters.", num=PASSWORD_MIN),
    )
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(), EqualTo("password", _l("Passwords differ."))],
    )
    kind = RadioField(
        _l("I am"),
        choices=choices(
            [("customer", _l("A customer")), ("supplier", _l("Working for a supplier"))]
        ),
        default="customer",
        validators=[DataRequired()],
    )
    organization = SelectField(
        _l("Supplier organization"),
        coerce=int,
        validators=[Optional()],
        description=_l(
            "Suppliers are approved by the company's staff before they see "
            "supplier-only categories."
        ),
    )


class ProfileForm(FlaskForm):
    display_name = StringField(
        _l("Display name"), validators=[DataRequired(), Length(max=80), no_control_characters]
    )
    email_preference = SelectField(
        _l("E-mail notifications"),
        choices=choices([("instant", _l("At once")), ("daily", _l("A daily digest")),
                         ("off", _l("Never"))]),
    )  # fmt: skip
    language = SelectField(
        _l("Language"),
        choices=choices([("", _l("My browser's language")), *LANGUAGES.items()]),
    )
    timezone = SelectField(_l("Time zone"), choices=choices(timezone_choices()))


class PasswordForm(FlaskForm):
    # Checked by the service, which also answers an account that has no password yet.
    current_password = PasswordField(
        _l("Current password"), validators=[Optional(), Length(max=200)]
    )
    new_password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=PASSWORD_MIN, max=200)]
    )
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("new_password", _l("Passwords differ."))],
    )


class TokenForm(FlaskForm):
    name = StringField(
        _l("Token name"),
        validators=[DataRequired(), Length(max=80), no_control_characters],
        description=_l("For example the script or tool that will use it."),
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=PASSWORD_MIN, max=200)],
        description=_l("At least %(num)s characters.", num=PASSWORD_MIN),
    )
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("new_password", _l("Passwords differ."))],
    )


class EmailChangeForm(FlaskForm):
    email = EmailField(
        _l("New e-mail address"),
        validators=[DataRequired(), Length(max=254)],
        description=_l("We send a link there; your address changes when you open it."),
    )
    # Accounts with a password confirm with it; accounts made by single sign-on (which have
    # none) confirm by typing their current address. The service says which is missing.
    password = PasswordField(_l("Your password"), validators=[Optional(), Length(max=200)])
    current_email = EmailField(
        _l("Your current address"),
        validators=[Optional(), Length(max=254)],
        description=_l("Type it to confirm: your account has no password."),
    )


class DeleteAccountForm(FlaskForm):
    """Erasing one's account: the password, or (no password: single sign-on) the e-mail."""

    password = PasswordField(
        _l("Your password"),
        validators=[Optional(), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    email = StringField(
        _l("Type your e-mail address"),
        validators=[Optional(), Length(max=254)],
        render_kw={"autocomplete": "off"},
    )
