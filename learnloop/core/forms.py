"""Helpers for forms that call services."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the fields it names; anything else at the top of the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# Above this many people a drop-down is unusable (an L&D admin may pick any of 10,000): type an email.
PICK_LIMIT = 200


def person_field(people: QuerySet[Any], *, label: str, help_text: str = "", required: bool = False) -> Any:
    """A field choosing one of `people`: a drop-down, or past PICK_LIMIT people a box for their sign-in email.
    `people` should already be scoped by policy; one count query decides which."""
    if people.count() > PICK_LIMIT:
        return forms.ModelChoiceField(
            people,
            required=required,
            to_field_name="username",
            label=label,
            help_text=" ".join(p for p in (help_text, "Their sign-in email, e.g. maya.okafor@fernhill.example") if p),
            widget=forms.EmailInput(attrs={"autocomplete": "off"}),
            error_messages={"invalid_choice": "No one you may choose has this email."},
        )
    field = forms.ModelChoiceField(people, required=required, label=label, help_text=help_text, empty_label="—")
    field.label_from_instance = lambda person: f"{person.display_name} ({person.username})"  # type: ignore[method-assign,assignment]
    return field
