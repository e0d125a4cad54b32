"""Admin forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.forms import choices, no_control_characters
from portal.labels import AUDIENCE_LABELS, PERSON_KIND_LABELS, ROLE_LABELS
from portal.notify.models import WEBHOOK_EVENTS


def _checkboxes(label, **kwargs) -> SelectMultipleField:
    return SelectMultipleField(label, widget=ListWidget(prefix_label=False),
                               option_widget=CheckboxInput(), **kwargs)  # fmt: skip


class CategoryEditForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(), Length(max=80), no_control_characters]
    )
    description = StringField(
        _l("Description"), validators=[Optional(), Length(max=300), no_control_characters]
    )
    audience = SelectField(_l("Audience"), choices=choices(AUDIENCE_LABELS.items()))
    team = SelectField(_l("Routed to team"), coerce=int, validators=[Optional()])


class CategoryForm(CategoryEditForm):
    slug = StringField(
        _l("Slug"), validators=[DataRequired(), Length(max=60), no_control_characters]
    )


class MoveIdeasForm(FlaskForm):
    target = SelectField(_l("Move every idea to"), coerce=int)


class NameForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(), Length(max=120), no_control_characters]
    )


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=choices(ROLE_LABELS.items()))


class UserForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=choices(PERSON_KIND_LABELS.items()))
    role = SelectField(_l("Role"), choices=choices(ROLE_LABELS.items()))
    organization = SelectField(
        _l("Organization"), coerce=int, validators=[Optional()],
        description=_l("Suppliers only: the company whose confidential ideas they see."),
    )  # fmt: skip
    teams = _checkboxes(_l("Teams"), coerce=int, description=_l("Staff and admins only."))


class RejectForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (optional, told to them)"),
        validators=[Optional(), Length(max=1000), no_control_characters],
    )


class MemberForm(FlaskForm):
    user_id = SelectField(_l("Add a staff member"), coerce=int)


class WebhookForm(FlaskForm):
    url = StringField(
        _l("Receiver URL"),
        validators=[DataRequired(), Length(max=2000), no_control_characters],
        description=_l(
            "An http:// or https:// address on a public network that accepts POSTed JSON "
            "(redirects are not followed)."
        ),
    )
    secret = StringField(
        _l("Signing secret"),
        validators=[DataRequired(), Length(min=16, max=200), no_control_characters],
        description=_l(
            "The receiver checks X-Portal-Signature (HMAC-SHA256 of the body) with it. "
            "A random one is filled in: copy it now, it is not shown in full again."
        ),
    )
    events = _checkboxes(
        _l("Events"),
        choices=choices((event, event) for event in WEBHOOK_EVENTS),
        validators=[DataRequired(message=_l("Choose at least one event."))],
    )
