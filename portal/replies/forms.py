"""The saved reply form (the service checks the team and the text again)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.forms import no_control_characters
from portal.replies.service import BODY_MAX, TITLE_MAX


class SavedReplyForm(FlaskForm):
    team_id = SelectField(_l("Team"), validate_choice=False)
    title = StringField(
        _l("Title"),
        validators=[DataRequired(), Length(min=2, max=TITLE_MAX), no_control_characters],
        description=_l("What staff pick it by, e.g. “Declined: out of scope”."),
    )
    body = TextAreaField(
        _l("Text"),
        validators=[DataRequired(), Length(max=BODY_MAX), no_control_characters],
        description=_l(
            "Markdown where it lands in a comment or status note; plain text in e-mail "
            "replies. Staff edit it before sending."
        ),
    )
