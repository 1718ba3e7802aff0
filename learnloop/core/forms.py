"""Helpers for forms that call services, and the bounded form fields every form uses."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from learnloop.core.bounds import MAX_ID, MAX_YEAR, MIN_YEAR, parse_id, year_in_range


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the fields it names; anything else at the top of the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def validate_year(value: dt.date | None) -> None:
    if value is not None and not year_in_range(value):
        raise ValidationError(f"Use a year between {MIN_YEAR} and {MAX_YEAR}.", code="year")


class DateField(forms.DateField):
    """A day between the years 1900 and 2999: time-zone and reminder arithmetic cannot overflow."""

    default_validators = [validate_year]


class DateTimeField(forms.DateTimeField):
    """A moment between the years 1900 and 2999."""

    default_validators = [validate_year]


class IdField(forms.IntegerField):
    """An id typed or posted: a whole number from 1 to the largest a 64-bit column holds."""

    def __init__(self, *, min_value: int = 1, max_value: int = MAX_ID, **kwargs: Any) -> None:
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several rows by id; an id too big for the database is an invalid choice, not a 500 from SQL."""

    def _check_values(self, value: Iterable[Any]) -> Any:
        if self.to_field_name in (None, "pk", "id"):
            for pk in value:
                if parse_id(str(pk)) is None:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                    )
        return super()._check_values(value)  # type: ignore[misc]


def ids_from(values: Iterable[Any]) -> list[int]:
    """The values that are ids, the rest left out: for suggestions built from what was posted."""
    return [number for number in (parse_id(str(v)) for v in values) if number is not None]


# Above this many people a drop-down is unusable (an L&D admin may pick any of 10,000): type an email.
PICK_LIMIT = 200


def person_field(
    people: QuerySet[Any],
    *,
    label: str,
    help_text: str = "",
    required: bool = False,
    unknown: str = "No one you may choose has this email.",
) -> Any:
    """A field choosing one of `people`: a drop-down, or past PICK_LIMIT people a box for their sign-in email
    (`unknown` is the error for an email that is none of them). `people` should already be scoped by policy;
    one count query decides which."""
    if people.count() > PICK_LIMIT:
        return forms.ModelChoiceField(
            people,
            required=required,
            to_field_name="username",
            label=label,
            help_text=" ".join(p for p in (help_text, "Their sign-in email, e.g. maya.okafor@fernhill.example") if p),
            widget=forms.EmailInput(attrs={"autocomplete": "off"}),
            error_messages={"invalid_choice": unknown},
        )
    field = forms.ModelChoiceField(people, required=required, label=label, help_text=help_text, empty_label="—")
    field.label_from_instance = lambda person: f"{person.display_name} ({person.username})"  # type: ignore[method-assign,assignment]
    return field
