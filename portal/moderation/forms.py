"""Flag, moderation action and appeal forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import choices, no_control_characters
from portal.labels import FLAG_REASON_LABELS, MODERATION_ACTION_LABELS

REASON_LABELS = FLAG_REASON_LABELS
ACTION_LABELS = MODERATION_ACTION_LABELS


class FlagForm(FlaskForm):
    target_type = HiddenField(validators=[DataRequired()])
    target_id = HiddenField(validators=[DataRequired()])
    reason = RadioField(_l("Why?"), choices=choices(REASON_LABELS.items()), default="spam")
    note = TextAreaField(
        _l("Note for the moderators"),
        validators=[Optional(), Length(max=2000), no_control_characters],
        description=_l("Required for “something else”."),
    )
    duplicate_of = StringField(
        _l("Original idea number"),
        validators=[Optional(), Length(max=12)],
        description=_l("For a duplicate: the number in the original idea's address."),
    )


class ActionForm(FlaskForm):
    target_type = HiddenField(validators=[DataRequired()])
    target_id = HiddenField(validators=[DataRequired()])
    action = SelectField(_l("Action"), choices=choices(ACTION_LABELS.items()))
    reason = TextAreaField(
        _l("Reason (shown in the public log)"),
        validators=[
            DataRequired(message=_l("Every action needs a reason.")),
            Length(max=2000),
            no_control_characters,
        ],
    )
    into_id = StringField(_l("Merge into idea number"), validators=[Optional(), Length(max=12)])
    until = StringField(
        _l("Suspended until"),
        validators=[Optional(), Length(max=40)],
        description=_l("YYYY-MM-DD"),
    )


class AppealForm(FlaskForm):
    target_type = HiddenField(validators=[DataRequired()])
    target_id = HiddenField(validators=[DataRequired()])
    text = TextAreaField(
        _l("Why should it be restored?"),
        validators=[DataRequired(), Length(max=2000), no_control_characters],
    )
