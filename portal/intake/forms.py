"""The inbox's action form: one form, the fields each action needs (the service checks them)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from portal.forms import no_control_characters


class IntakeActionForm(FlaskForm):
    action = HiddenField()
    idea_id = StringField(_l("Idea number"), validators=[Optional(), Length(max=20)])
    title = StringField(_l("Title of the new idea"), validators=[Optional(), Length(max=150),
                                                            no_control_characters])  # fmt: skip
    category = SelectField(_l("Category"), validate_choice=False)
    kind = SelectField(_l("Kind"), validate_choice=False)
    body = TextAreaField(_l("Reply"), validators=[Optional(), Length(max=10_000),
                                              no_control_characters])  # fmt: skip
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500),
                                               no_control_characters])  # fmt: skip
    confidential = SelectField(_l("Confidential"), validate_choice=False)
    team_id = SelectField(_l("Team"), validate_choice=False)
    assignee_id = SelectField(_l("Assignee"), validate_choice=False)

    def action_data(self) -> dict:
        """What the service takes for this form's action: ids as numbers, empty as absent."""
        data = {}
        for name in ("idea_id", "title", "category", "kind", "body", "reason"):
            value = getattr(self, name).data
            if value not in (None, ""):
                data[name] = value.strip() if isinstance(value, str) else value
        for name in ("team_id", "assignee_id"):
            value = (getattr(self, name).data or "").strip()
            if value.isdigit():
                data[name] = int(value)
            elif value == "none" and name == "assignee_id":
                data[name] = None
        if self.confidential.data in ("yes", "no"):
            data["confidential"] = self.confidential.data == "yes"
        return data
