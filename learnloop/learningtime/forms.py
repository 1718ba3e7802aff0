import datetime as dt
import zoneinfo
from typing import Any

from django import forms

from learnloop.core.bounds import MAX_COUNT, MAX_TEXT_FIELD
from learnloop.core.forms import DateField
from learnloop.learning.models import CatalogItem, Enrollment
from learnloop.people.models import Person


class BlockForm(forms.Form):
    """A block on one day, in the person's own time zone."""

    title = forms.CharField(
        max_length=200, help_text="What you will learn, e.g. “Read chapter 3 of The Coaching Habit”"
    )
    day = DateField(widget=forms.DateInput(attrs={"type": "date"}))
    starts_at = forms.TimeField(label="From", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    ends_at = forms.TimeField(label="Until", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    item = forms.ModelChoiceField(
        CatalogItem.objects.none(),
        required=False,
        label="For a catalog item",
        empty_label="None",
        help_text="Items you are enrolled in",
    )
    note = forms.CharField(max_length=MAX_TEXT_FIELD, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person
        self.fields["day"].help_text = f"Times are in your time zone, {person.time_zone}."
        active = Enrollment.objects.filter(
            person=person, status__in=(Enrollment.Status.ENROLLED, Enrollment.Status.IN_PROGRESS)
        ).values("item_id")
        self.fields["item"].queryset = CatalogItem.objects.filter(pk__in=active).order_by("title")  # type: ignore[attr-defined]

    def moments(self) -> tuple[dt.datetime, dt.datetime]:
        """The start and end as aware datetimes in the person's zone."""
        zone = zoneinfo.ZoneInfo(self.person.time_zone)
        day = self.cleaned_data["day"]
        return (
            dt.datetime.combine(day, self.cleaned_data["starts_at"], tzinfo=zone),
            dt.datetime.combine(day, self.cleaned_data["ends_at"], tzinfo=zone),
        )


class BudgetForm(forms.Form):
    weekly_minutes = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_COUNT,
        label="Minutes a week",
        help_text="Leave empty to remove it, so the default applies.",
    )
