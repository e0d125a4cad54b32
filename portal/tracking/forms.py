"""Promote and item forms."""

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from portal.accounts.models import Team, User
from portal.extensions import db
from portal.forms import choices, no_control_characters
from portal.tracking.models import ITEM_STATUSES, PRIORITIES

# A date picker where the browser has one; the service reads YYYY-MM-DD either way.
DATE_INPUT = {"type": "date"}

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
                              description="YYYY-MM-DD", render_kw=DATE_INPUT)  # fmt: skip
    # Named as the service's and the API's field, so that its errors land beside it.
    idea_ids = StringField(
        "…or type their numbers", validators=[Optional(), Length(max=200)],
        description="Separated by commas, e.g. 12, 31.",
    )  # fmt: skip


class ItemForm(FlaskForm):
    title = StringField("Title", validators=[Optional(), Length(max=150),
                                             no_control_characters])  # fmt: skip
    description = TextAreaField("Description", validators=[Optional(), Length(max=20_000),
                                                           no_control_characters])  # fmt: skip
    team = SelectField("Team", validators=[Optional()])
    status = SelectField("Status", choices=choices((s, STATUS_LABELS[s]) for s in ITEM_STATUSES))
    note = TextAreaField("Note", validators=[Optional(), Length(max=5000), no_control_characters],
                         description="Kept in the history and sent to followers.")  # fmt: skip
    priority = SelectField("Priority", choices=choices((p, p.upper()) for p in PRIORITIES))
    owner_id = SelectField("Owner", validators=[Optional()])
    target_date = StringField("Target date", validators=[Optional(), Length(max=10)],
                              render_kw=DATE_INPUT)  # fmt: skip
    link_ideas = StringField("Link more ideas", validators=[Optional(), Length(max=200)],
                             description="Numbers, separated by commas.")  # fmt: skip


def staff_choices():
    staff = db.session.scalars(
        select(User)
        .where(User.kind == "staff", User.erased_at.is_(None))
        .order_by(User.display_name)
    )
    return choices([("", "— nobody yet —")] + [(str(u.id), u.display_name) for u in staff])


def team_choices(empty: str = "— the category's team —"):
    teams = db.session.scalars(select(Team).order_by(Team.name))
    return choices([("", empty)] + [(t.name, t.name) for t in teams])


def promote_form(formdata=None, **defaults) -> PromoteForm:
    form = PromoteForm(formdata=formdata, **defaults)
    form.team.choices = team_choices()
    form.owner_id.choices = staff_choices()
    return form
