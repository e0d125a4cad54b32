"""Promote and item forms."""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from portal.forms import choices, no_control_characters
from portal.tracking.models import ITEM_STATUSES, PRIORITIES

STATUS_LABELS = {"planned": "Planned", "in_progress": "In progress", "shipped": "Shipped",
                 "dropped": "Dropped"}  # fmt: skip


class PromoteForm(FlaskForm):
    title = StringField("Item title", validators=[Optional(), Length(max=150),
                                                  no_control_characters])  # fmt: skip
    description = TextAreaField("Description", validators=[Optional(), Length(max=20_000),
                                                           no_control_characters])  # fmt: skip
    priority = SelectField("Priority", choices=choices((p, p.upper()) for p in PRIORITIES),
                           default="p3")  # fmt: skip
    team = SelectField("Team", validators=[Optional()])
    owner_id = SelectField("Owner", validators=[Optional()])
    target_date = StringField("Target date", validators=[Optional(), Length(max=10)],
                              description="YYYY-MM-DD")  # fmt: skip
    more_ideas = StringField(
        "Also link ideas", validators=[Optional(), Length(max=200)],
        description="Numbers of related ideas, separated by commas.",
    )  # fmt: skip


class ItemForm(FlaskForm):
    status = SelectField("Status", choices=choices((s, STATUS_LABELS[s]) for s in ITEM_STATUSES))
    note = TextAreaField("Note", validators=[Optional(), Length(max=5000), no_control_characters],
                         description="Kept in the history and sent to followers.")  # fmt: skip
    priority = SelectField("Priority", choices=choices((p, p.upper()) for p in PRIORITIES))
    owner_id = SelectField("Owner", validators=[Optional()])
    target_date = StringField("Target date", validators=[Optional(), Length(max=10)])
    link_ideas = StringField("Link more ideas", validators=[Optional(), Length(max=200)],
                             description="Numbers, separated by commas.")  # fmt: skip
