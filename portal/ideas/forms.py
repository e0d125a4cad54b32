"""Idea, status and comment forms."""

from flask import g
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    MultipleFileField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import choices, no_control_characters
from portal.ideas.discussion import COMMENT_MAX
from portal.ideas.service import BODY_MAX, TITLE_MAX, TITLE_MIN
from portal.labels import KIND_LABELS, STATUS_LABELS


def _files_field():
    """Files sent with the form (pages without JavaScript; the script uploads them at once
    and puts their Markdown in the text instead). The service checks and stores them."""
    return MultipleFileField(
        _l("Pictures or files"),
        description=_l("Shown in the text as pictures or links, to whoever may read this."),
    )


class IdeaEditForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(), Length(min=TITLE_MIN, max=TITLE_MAX), no_control_characters],
        description=_l("One sentence that says what you want or what is wrong."),
    )
    body = TextAreaField(
        _l("Details"),
        validators=[Optional(), Length(max=BODY_MAX), no_control_characters],
        description=_l("Markdown works: **bold**, lists, `code`, [links](https://example.com)."),
    )
    files = _files_field()


MODERATION_REASON = _l("Reason (a moderator's edit is logged publicly; the author is told)")


def _reason_field():
    return TextAreaField(
        MODERATION_REASON, validators=[Optional(), Length(max=2000), no_control_characters]
    )


class ModeratorIdeaEditForm(IdeaEditForm):
    reason = _reason_field()


class IdeaForm(IdeaEditForm):
    category = SelectField(_l("Category"), validators=[DataRequired()])
    kind = SelectField(_l("Kind"), choices=choices(KIND_LABELS.items()), default="idea")
    confidential = BooleanField(
        _l("Confidential: only my organization and the company's staff can see it")
    )


class StatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=choices(STATUS_LABELS.items()))
    note = TextAreaField(
        _l("Note to followers"),
        validators=[Optional(), Length(max=5000), no_control_characters],
        description=_l("Shown on the idea and sent to everyone who follows it."),
    )
    duplicate_of = StringField(
        _l("Duplicate of idea number"),
        validators=[Optional(), Length(max=12)],
        description=_l("For “Duplicate”: the original, linked from the note."),
    )


class CommentForm(FlaskForm):
    # Optional here: a comment may be only a picture sent with it; the service refuses an
    # empty one.
    body = TextAreaField(
        _l("Your comment"),
        validators=[Optional(), Length(max=COMMENT_MAX), no_control_characters],
        description=_l("Markdown works. Mention someone with @handle."),
    )
    files = _files_field()
    parent_id = HiddenField()
    official = BooleanField(_l("Official response"))


def reply_files_field():
    """The files input of a reply form under each comment: a comment form's, bound to
    nothing (the page may be the answer to another form's post). One per request, however
    many threads the page shows: rendering it changes nothing in it."""
    if "reply_files_field" not in g:
        g.reply_files_field = CommentForm(formdata=None, meta={"csrf": False}).files
    return g.reply_files_field


class CommentEditForm(FlaskForm):
    body = TextAreaField(
        _l("Comment"),
        validators=[DataRequired(), Length(max=COMMENT_MAX), no_control_characters],
    )
    files = _files_field()


class ModeratorCommentEditForm(CommentEditForm):
    reason = _reason_field()


class MoveForm(FlaskForm):
    """Another category and/or kind for a misfiled idea (the service checks both)."""

    category = StringField(_l("Category"), validators=[Optional(), Length(max=60)])
    kind = StringField(_l("Kind"), validators=[Optional(), Length(max=16)])


class AssignForm(FlaskForm):
    """Staff give an idea to a team and/or person; empty keeps, "none" takes it off them."""

    team_id = StringField(_l("Team"), validators=[Optional(), Length(max=12)])
    assignee_id = StringField(_l("Person"), validators=[Optional(), Length(max=12)])

    def assignment(self) -> dict:
        data = {}
        team = (self.team_id.data or "").strip()
        if team:
            data["team_id"] = int(team) if team.isdigit() else team
        person = (self.assignee_id.data or "").strip()
        if person == "none":
            data["assignee_id"] = None
        elif person:
            data["assignee_id"] = int(person) if person.isdigit() else person
        return data


class StaffNoteForm(FlaskForm):
    # Not `body`: the comment form's text box beside it on the page has that id.
    staff_note = TextAreaField(
        _l("Your staff note"),
        validators=[DataRequired(), Length(max=COMMENT_MAX), no_control_characters],
        description=_l("Only staff see this. Markdown works; @handle tells a colleague."),
    )
