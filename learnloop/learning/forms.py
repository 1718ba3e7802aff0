import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime

from learnloop.core.bounds import MAX_SMALL_COUNT, parse_int
from learnloop.core.forms import DateTimeField, IdMultipleChoiceField, person_field
from learnloop.learning.models import CatalogItem, Session
from learnloop.learning.sessions import MAX_CAPACITY
from learnloop.people.models import Person
from learnloop.skills.models import Skill


class CatalogSearchForm(forms.Form):
    q = forms.CharField(required=False, label="Search the catalog", max_length=200)
    kind = forms.ChoiceField(required=False, choices=[("", "Any format"), *CatalogItem.Kind.choices], label="Format")
    skill = forms.ModelChoiceField(Skill.objects.filter(is_active=True), required=False, empty_label="Any skill")


class CatalogItemForm(forms.ModelForm):
    url = forms.URLField(required=False, assume_scheme="https", max_length=500, label="Address (for links)")
    skills = forms.CharField(
        required=False,
        help_text="Skills it teaches with the level it brings people to, one per line: Coaching = 3",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = CatalogItem
        fields = [
            "kind",
            "title",
            "summary",
            "delivery",
            "url",
            "file",
            "lesson",
            "duration_minutes",
            "language",
            "audience",
            "author",
            "isbn",
            "scope",
            "sponsor",
            "is_published",
        ]
        labels = {"sponsor": "Sponsor"}
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "lesson": forms.Textarea(attrs={"rows": 10}),
            "scope": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sponsor"] = person_field(
            people, label="Sponsor", help_text="Stretch assignments: who backs the work and signs it off"
        )
        if self.instance.pk and self.instance.sponsor_id:
            # The email box shows the sponsor's email, not their id.
            self.initial["sponsor"] = self.instance.sponsor

    def clean_skills(self) -> list[tuple[Skill, int]]:
        parsed: list[tuple[Skill, int]] = []
        for number, line in enumerate(self.cleaned_data["skills"].splitlines(), start=1):
            if not line.strip():
                continue
            name, _, level = line.rpartition("=")
            skill = Skill.objects.filter(name__iexact=name.strip()).first()
            level_number = parse_int(level, high=MAX_SMALL_COUNT)
            if skill is None or level_number is None:
                raise forms.ValidationError(f"Line {number}: write a known skill and a level, like 'Coaching = 3'.")
            parsed.append((skill, level_number))
        return parsed


class ReflectionForm(forms.Form):
    learned = forms.CharField(required=False, label="What did you learn?", widget=forms.Textarea(attrs={"rows": 3}))
    apply_plan = forms.CharField(
        required=False,
        label="How will you apply it?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional, but learning sticks when it is used within a week",
    )


class WallClockField(DateTimeField):
    """A date and time as typed, without a zone: the session's own zone (another field) places it."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def to_python(self, value: Any) -> dt.datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=None)
        try:
            parsed = parse_datetime(str(value).strip())
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if parsed is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed.replace(tzinfo=None)

    def prepare_value(self, value: Any) -> Any:
        return value


def _zone_choices() -> list[tuple[str, str]]:
    return [(zone, zone) for zone in sorted(zoneinfo.available_timezones())]


class SessionForm(forms.Form):
    starts_at = WallClockField(label="Starts", help_text="In the session's time zone")
    ends_at = WallClockField(label="Ends")
    time_zone = forms.ChoiceField(choices=_zone_choices, label="Time zone")
    capacity = forms.IntegerField(min_value=1, max_value=MAX_CAPACITY, label="Seats")
    location = forms.CharField(max_length=200, required=False, label="Place", help_text="e.g. Berlin, room Spree")
    online_url = forms.URLField(
        max_length=500, required=False, assume_scheme="https", label="Online meeting link", help_text="Optional"
    )

    def __init__(self, *args: Any, people: QuerySet[Person], session: Session | None = None, **kwargs: Any) -> None:
        if session is not None:
            zone = zoneinfo.ZoneInfo(session.time_zone)
            kwargs.setdefault(
                "initial",
                {
                    "starts_at": session.starts_at.astimezone(zone).replace(tzinfo=None),
                    "ends_at": session.ends_at.astimezone(zone).replace(tzinfo=None),
                    "time_zone": session.time_zone,
                    "capacity": session.capacity,
                    "location": session.location,
                    "online_url": session.online_url,
                    "presenter": session.presenter,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["presenter"] = person_field(
            people, label="Presenter", help_text="Takes attendance and is credited for the session"
        )


class SessionCancelForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        required=False,
        label="Why (optional)",
        help_text="Sent to everyone booked or waiting",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class StretchReflectionForm(forms.Form):
    """The end of a stretch assignment: what it achieved, what was learned, what to change, what grew."""

    outcome = forms.CharField(
        label="What was the outcome for the sponsor?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the work delivered, in a sentence or two",
        error_messages={"required": "Say what the work achieved for the sponsor, in a sentence or two."},
    )
    learned = forms.CharField(
        label="What did you learn?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what you learned from the assignment."},
    )
    do_differently = forms.CharField(
        required=False, label="What would you do differently?", widget=forms.Textarea(attrs={"rows": 3})
    )
    skills_grown = IdMultipleChoiceField(
        Skill.objects.none(),
        required=False,
        label="Which skills grew?",
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, item: CatalogItem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["skills_grown"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Skill.objects.filter(taught_by__item=item).order_by("name")
