"""The saved reply form (the service checks the team and the text again)."""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.forms import no_control_characters
from portal.replies.service import BODY_MAX, TITLE_MAX


class SavedReplyForm(FlaskForm):
    team_id = SelectField("Team", validate_choice=False)
    title = StringField(
        "Title",
        validators=[DataRequired(), Length(min=2, max=TITLE_MAX), no_control_characters],
        description="What staff pick it by, e.g. “Declined: out of scope”.",
    )
    body = TextAreaField(
        "Text",
        validators=[DataRequired(), Length(max=BODY_MAX), no_control_characters],
        description="Markdown where it lands in a comment or status note; plain text in e-mail "
        "replies. Staff edit it before sending.",
    )
