"""Form pieces shared by every domain."""

from flask_wtf import FlaskForm
from wtforms import SelectChoice, ValidationError

from portal.errors import DomainError
from portal.extensions import db
from portal.validation import CONTROL_MESSAGE, has_control_characters


class EmptyForm(FlaskForm):
    """Only the CSRF token: for buttons that post an action."""


def no_control_characters(_form, field) -> None:
    """WTForms validator: refuse NUL and other control characters (tab, newline aside)."""
    if isinstance(field.data, str) and has_control_characters(field.data):
        raise ValidationError(CONTROL_MESSAGE)


def apply_domain_errors(form, error) -> None:
    """Show a service's Invalid error beside the fields it names (or on the form)."""
    placed = False
    for name, messages in (error.fields or {}).items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(field.errors or []) + list(messages)
            placed = True
    if not placed:
        form.form_errors.append(error.message)


def error_messages(form) -> list[str]:
    """Every reason a form was refused (its own, then its fields'), once each, as plain
    text: validators and services give lazy strings, which `str.join` refuses (TypeError)."""
    found = [*form.form_errors, *(m for messages in form.errors.values() for m in messages)]
    return list(dict.fromkeys(str(message) for message in found))


def attempt(form, operation):
    """Run the service call a submitted form asks for: `(result, None)`, or, when the
    service refuses, `(None, status)` with the reason on the form. A refusal rolls back what
    the request changed, and what the person typed stays in the form."""
    try:
        return operation(), None
    except DomainError as error:
        db.session.rollback()
        apply_domain_errors(form, error)
        return None, error.status


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]
