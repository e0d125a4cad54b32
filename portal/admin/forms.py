"""Admin forms."""

from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.forms import choices, no_control_characters
from portal.labels import AUDIENCE_LABELS
from portal.notify.models import WEBHOOK_EVENTS

ROLE_LABELS = {"member": "Member", "moderator": "Moderator", "admin": "Admin"}
KIND_LABELS = {"customer": "Customer", "supplier": "Supplier", "staff": "Staff"}


def _checkboxes(label: str, **kwargs) -> SelectMultipleField:
    return SelectMultipleField(label, widget=ListWidget(prefix_label=False),
                               option_widget=CheckboxInput(), **kwargs)  # fmt: skip


class CategoryEditForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=80), no_control_characters])
    description = StringField(
        "Description", validators=[Optional(), Length(max=300), no_control_characters]
    )
    audience = SelectField("Audience", choices=choices(AUDIENCE_LABELS.items()))
    team = SelectField("Routed to team", coerce=int, validators=[Optional()])


class CategoryForm(CategoryEditForm):
    slug = StringField("Slug", validators=[DataRequired(), Length(max=60), no_control_characters])


class MoveIdeasForm(FlaskForm):
    target = SelectField("Move every idea to", coerce=int)


class NameForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120), no_control_characters])


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=choices(ROLE_LABELS.items()))


class UserForm(FlaskForm):
    kind = SelectField("Kind", choices=choices(KIND_LABELS.items()))
    role = SelectField("Role", choices=choices(ROLE_LABELS.items()))
    organization = SelectField(
        "Organization", coerce=int, validators=[Optional()],
        description="Suppliers only: the company whose confidential ideas they see.",
    )  # fmt: skip
    teams = _checkboxes("Teams", coerce=int, description="Staff and admins only.")


class RejectForm(FlaskForm):
    reason = TextAreaField(
        "Reason (optional, told to them)",
        validators=[Optional(), Length(max=1000), no_control_characters],
    )


class MemberForm(FlaskForm):
    user_id = SelectField("Add a staff member", coerce=int)


class WebhookForm(FlaskForm):
    url = StringField(
        "Receiver URL",
        validators=[DataRequired(), Length(max=2000), no_control_characters],
        description="An http:// or https:// address on a public network that accepts POSTed JSON "
        "(redirects are not followed).",
    )
    secret = StringField(
        "Signing secret",
        validators=[DataRequired(), Length(min=16, max=200), no_control_characters],
        description="The receiver checks X-Portal-Signature (HMAC-SHA256 of the body) with it. "
        "A random one is filled in: copy it now, it is not shown in full again.",
    )
    events = _checkboxes(
        "Events",
        choices=choices((event, event) for event in WEBHOOK_EVENTS),
        validators=[DataRequired(message="Choose at least one event.")],
    )
