"""Admin forms."""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import choices, no_control_characters
from portal.web import AUDIENCE_LABELS


class CategoryForm(FlaskForm):
    slug = StringField("Slug", validators=[DataRequired(), Length(max=60), no_control_characters])
    name = StringField("Name", validators=[DataRequired(), Length(max=80), no_control_characters])
    description = StringField(
        "Description", validators=[Optional(), Length(max=300), no_control_characters]
    )
    audience = SelectField("Audience", choices=choices(AUDIENCE_LABELS.items()))
    team = SelectField("Routed to team", coerce=int, validators=[Optional()])


class NameForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120), no_control_characters])


class RoleForm(FlaskForm):
    role = SelectField(
        "Role",
        choices=choices([("member", "Member"), ("moderator", "Moderator"), ("admin", "Admin")]),
    )
