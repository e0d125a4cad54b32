"""Flag, moderation action and appeal forms."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import choices, no_control_characters

REASON_LABELS = {
    "spam": "Spam",
    "abuse": "Abusive or offensive",
    "off_topic": "Off topic",
    "duplicate": "Duplicate of another idea",
    "other": "Something else",
}
ACTION_LABELS = {
    "dismiss": "Dismiss the flags",
    "hide": "Hide",
    "restore": "Restore",
    "lock": "Lock (no more votes or comments)",
    "unlock": "Unlock",
    "merge": "Merge into another idea",
    "suspend": "Suspend the user",
    "unsuspend": "Lift the suspension",
    "edit": "Edit",
    "delete": "Remove (a moderator's delete)",
}


class FlagForm(FlaskForm):
    target_type = HiddenField(validators=[DataRequired()])
    target_id = HiddenField(validators=[DataRequired()])
    reason = RadioField("Why?", choices=choices(REASON_LABELS.items()), default="spam")
    note = TextAreaField(
        "Note for the moderators",
        validators=[Optional(), Length(max=2000), no_control_characters],
        description="Required for “something else”.",
    )
    duplicate_of = StringField(
        "Original idea number",
        validators=[Optional(), Length(max=12)],
        description="For a duplicate: the number in the original idea's address.",
    )


class ActionForm(FlaskForm):
    target_type = HiddenField(validators=[DataRequired()])
    target_id = HiddenField(validators=[DataRequired()])
    action = SelectField("Action", choices=choices(ACTION_LABELS.items()))
    reason = TextAreaField(
        "Reason (shown in the public log)",
        validators=[
            DataRequired(message="Every action needs a reason."),
            Length(max=2000),
            no_control_characters,
        ],
    )
    into_id = StringField("Merge into idea number", validators=[Optional(), Length(max=12)])
    until = StringField(
        "Suspended until", validators=[Optional(), Length(max=40)], description="YYYY-MM-DD"
    )


class AppealForm(FlaskForm):
    target_type = HiddenField(validators=[DataRequired()])
    target_id = HiddenField(validators=[DataRequired()])
    text = TextAreaField(
        "Why should it be restored?",
        validators=[DataRequired(), Length(max=2000), no_control_characters],
    )
