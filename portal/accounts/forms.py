"""Sign-in, registration and account forms."""

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


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Remember me")
    next = HiddenField()


class RegisterForm(FlaskForm):
    # Where to go once the address is confirmed (e.g. the idea "sign in to vote" came from).
    next = HiddenField()
    display_name = StringField(
        "Display name",
        validators=[DataRequired(), Length(max=80), no_control_characters],
        description="Shown next to what you post.",
    )
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(min=PASSWORD_MIN, max=200)],
        description=f"At least {PASSWORD_MIN} characters.",
    )
    confirm = PasswordField(
        "Repeat password", validators=[DataRequired(), EqualTo("password", "Passwords differ.")]
    )
    kind = RadioField(
        "I am",
        choices=choices([("customer", "A customer"), ("supplier", "Working for a supplier")]),
        default="customer",
        validators=[DataRequired()],
    )
    organization = SelectField(
        "Supplier organization",
        coerce=int,
        validators=[Optional()],
        description="Suppliers are approved by the company's staff before they see "
        "supplier-only categories.",
    )


class ProfileForm(FlaskForm):
    display_name = StringField(
        "Display name", validators=[DataRequired(), Length(max=80), no_control_characters]
    )
    email_preference = SelectField(
        "E-mail notifications",
        choices=choices([("instant", "At once"), ("daily", "A daily digest"), ("off", "Never")]),
    )


class PasswordForm(FlaskForm):
    # Checked by the service, which also answers an account that has no password yet.
    current_password = PasswordField("Current password", validators=[Optional(), Length(max=200)])
    new_password = PasswordField(
        "New password", validators=[DataRequired(), Length(min=PASSWORD_MIN, max=200)]
    )
    confirm = PasswordField(
        "Repeat new password",
        validators=[DataRequired(), EqualTo("new_password", "Passwords differ.")],
    )


class TokenForm(FlaskForm):
    name = StringField(
        "Token name",
        validators=[DataRequired(), Length(max=80), no_control_characters],
        description="For example the script or tool that will use it.",
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=PASSWORD_MIN, max=200)],
        description=f"At least {PASSWORD_MIN} characters.",
    )
    confirm = PasswordField(
        "Repeat new password",
        validators=[DataRequired(), EqualTo("new_password", "Passwords differ.")],
    )


class EmailChangeForm(FlaskForm):
    email = EmailField(
        "New e-mail address",
        validators=[DataRequired(), Length(max=254)],
        description="We send a link there; your address changes when you open it.",
    )
    # Accounts with a password confirm with it; accounts made by single sign-on (which have
    # none) confirm by typing their current address. The service says which is missing.
    password = PasswordField("Your password", validators=[Optional(), Length(max=200)])
    current_email = EmailField(
        "Your current address",
        validators=[Optional(), Length(max=254)],
        description="Type it to confirm: your account has no password.",
    )


class DeleteAccountForm(FlaskForm):
    """Erasing one's account: the password, or (no password: single sign-on) the e-mail."""

    password = PasswordField(
        "Your password",
        validators=[Optional(), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    email = StringField(
        "Type your e-mail address",
        validators=[Optional(), Length(max=254)],
        render_kw={"autocomplete": "off"},
    )
