"""Promote and item forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from portal.accounts.models import Team, User
from portal.extensions import db
from portal.forms import choices, no_control_characters
from portal.labels import ITEM_STATUS_LABELS
from portal.tracking.models import ITEM_STATUSES, PRIORITIES

# A date picker where the browser has one; the service reads YYYY-MM-DD either way.
DATE_INPUT = {"type": "date"}


class PromoteForm(FlaskForm):
    title = StringField(_l("Item title"), validators=[Optional(), Length(max=150),
                                                      no_control_characters])  # fmt: skip
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20_000),
                                                               no_control_characters])  # fmt: skip
    priority = SelectField(_l("Priority"), choices=choices((p, p.upper()) for p in PRIORITIES),
                           default="p3")  # fmt: skip
    team = SelectField(_l("Team"), validators=[Optional()])
    owner_id = SelectField(_l("Owner"), validators=[Optional()])
    target_date = StringField(_l("Target date"), validators=[Optional(), Length(max=10)],
                              description=_l("YYYY-MM-DD"), render_kw=DATE_INPUT)  # fmt: skip
    # Named as the service's and the API's field, so that its errors land beside it.
    idea_ids = StringField(
        _l("…or type their numbers"), validators=[Optional(), Length(max=200)],
        description=_l("Separated by commas, e.g. 12, 31."),
    )  # fmt: skip


class ItemForm(FlaskForm):
    title = StringField(_l("Title"), validators=[Optional(), Length(max=150),
                                                 no_control_characters])  # fmt: skip
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20_000),
                                                               no_control_characters])  # fmt: skip
    team = SelectField(_l("Team"), validators=[Optional()])
    status = SelectField(
        _l("Status"), choices=choices((s, ITEM_STATUS_LABELS[s]) for s in ITEM_STATUSES)
    )
    note = TextAreaField(
        _l("Note"), validators=[Optional(), Length(max=5000), no_control_characters],
        description=_l("Kept in the history and sent to followers."),
    )  # fmt: skip
    priority = SelectField(_l("Priority"), choices=choices((p, p.upper()) for p in PRIORITIES))
    owner_id = SelectField(_l("Owner"), validators=[Optional()])
    target_date = StringField(_l("Target date"), validators=[Optional(), Length(max=10)],
                              render_kw=DATE_INPUT)  # fmt: skip
    link_ideas = StringField(_l("Link more ideas"), validators=[Optional(), Length(max=200)],
                             description=_l("Numbers, separated by commas."))  # fmt: skip


def staff_choices():
    staff = db.session.scalars(
        select(User)
        .where(User.kind == "staff", User.erased_at.is_(None))
        .order_by(User.display_name)
    )
    return choices([("", _l("— nobody yet —"))] + [(str(u.id), u.display_name) for u in staff])


def team_choices(empty=None):
    teams = db.session.scalars(select(Team).order_by(Team.name))
    return choices(
        [("", empty or _l("— the category's team —"))] + [(t.name, t.name) for t in teams]
    )


def promote_form(formdata=None, **defaults) -> PromoteForm:
    form = PromoteForm(formdata=formdata, **defaults)
    form.team.choices = team_choices()
    form.owner_id.choices = staff_choices()
    return form
