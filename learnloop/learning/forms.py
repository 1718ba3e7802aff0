import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.forms.utils import ErrorList
from django.urls import reverse_lazy
from django.utils.dateparse import parse_datetime

from learnloop.core.bounds import MAX_TEXT_FIELD
from learnloop.core.forms import DateTimeField, IdMultipleChoiceField, person_field
from learnloop.learning.languages import language_choices, language_names
from learnloop.learning.models import CatalogItem, Session
from learnloop.learning.services import COMMON_FIELDS, FORMAT_FIELDS, format_errors
from learnloop.learning.sessions import MAX_CAPACITY
from learnloop.people.models import Person
from learnloop.skills.models import ProficiencyLevel, Skill
from learnloop.skills.services import scale_top


class CatalogSearchForm(forms.Form):
    q = forms.CharField(required=False, label="Search the catalog", max_length=200)
    kind = forms.ChoiceField(required=False, choices=[("", "Any format"), *CatalogItem.Kind.choices], label="Format")
    skill = forms.ModelChoiceField(Skill.objects.filter(is_active=True), required=False, empty_label="Any skill")


# The skills an item teaches: rows of a skill (typed, with suggestions from a bounded search) and a level
# from the proficiency scale. Rows beyond this are refused rather than stored.
MAX_SKILL_ROWS = 30
BLANK_SKILL_ROWS = 2


class SkillRowForm(forms.Form):
    skill = forms.CharField(
        required=False,
        max_length=200,
        label="Skill",
        widget=forms.TextInput(
            attrs={
                "list": "skill-options",
                "autocomplete": "off",
                "hx-get": reverse_lazy("learning:skill_search"),
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "#skill-options",
                "hx-sync": "this:replace",
            }
        ),
    )
    level = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Level it brings people to")

    def __init__(self, *args: Any, levels: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["level"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "Choose a level"), *levels]

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not (data.get("skill") or "").strip() and data.get("level") is None


class BaseSkillRows(forms.BaseFormSet):
    """Every row's problem at once, each on its row; names are resolved in one query."""

    chosen: list[tuple[Skill, int]]

    def clean(self) -> None:
        rows = [f for f in self.forms if f.is_valid() and not f.is_blank()]
        wanted = {(f.cleaned_data["skill"] or "").strip().casefold() for f in rows}
        known = {s.name.casefold(): s for s in Skill.objects.annotate(key=Lower("name")).filter(key__in=wanted)}
        seen: dict[int, int] = {}
        self.chosen = []
        for form in rows:
            number = self.forms.index(form) + 1
            name = (form.cleaned_data["skill"] or "").strip()
            level = form.cleaned_data["level"]
            skill = known.get(name.casefold())
            if not name:
                form.add_error("skill", f"Row {number}: choose the skill this level is for.")
            elif skill is None:
                form.add_error("skill", f"Row {number}: no skill is called “{name}”; pick one of the suggestions.")
            elif skill.pk in seen:
                form.add_error("skill", f"Row {number}: {skill.name} is already in row {seen[skill.pk]}.")
            if level is None:
                form.add_error("level", f"Row {number}: choose the level it brings people to.")
            if skill is not None and level is not None and skill.pk not in seen and not form.errors:
                self.chosen.append((skill, level))
            if skill is not None:
                seen.setdefault(skill.pk, number)
        # Each message names its row, the field's own ("Select a valid choice") too.
        for number, form in enumerate(self.forms, start=1):
            for name, errors in form.errors.items():
                form.errors[name] = ErrorList([e if e.startswith("Row ") else f"Row {number}: {e}" for e in errors])


SkillRowFormSet = forms.formset_factory(
    SkillRowForm,
    formset=BaseSkillRows,
    extra=0,
    max_num=MAX_SKILL_ROWS,
    absolute_max=MAX_SKILL_ROWS,
    validate_max=True,
)


def scale_choices() -> list[tuple[int, str]]:
    """Today's proficiency scale as choices, "3 · Practitioner"; the bare numbers if it has no names yet."""
    levels = list(ProficiencyLevel.objects.order_by("level").values_list("level", "name"))
    if not levels:
        return [(n, str(n)) for n in range(1, scale_top() + 1)]
    return [(number, f"{number} · {name}") for number, name in levels]


@dataclass(frozen=True)
class FormatGroup:
    """Fields that only some formats have, shown together under one legend."""

    legend: str
    kinds: tuple[str, ...]
    fields: list[forms.BoundField]
    shown: bool


GROUPS = (
    ("Content", ("delivery", "url", "file", "lesson")),
    ("The book", ("author", "isbn")),
    ("The assignment", ("scope", "sponsor")),
)


class CatalogItemForm(forms.ModelForm):
    """An item of one format: the fields every item has, the chosen format's own (the others are neither
    shown nor validated, and are emptied on save), and the skills it teaches as rows."""

    url = forms.URLField(required=False, assume_scheme="https", max_length=500, label="Address (for links)")
    language = forms.ChoiceField(choices=language_choices, initial="en")

    class Meta:
        model = CatalogItem
        fields = [
            "kind",
            "title",
            "summary",
            "duration_minutes",
            "language",
            "audience",
            "delivery",
            "url",
            "file",
            "lesson",
            "author",
            "isbn",
            "scope",
            "sponsor",
            "is_published",
        ]
        labels = {
            "sponsor": "Sponsor",
            "kind": "Format",
            "duration_minutes": "Duration (minutes)",
            "isbn": "ISBN",
            "is_published": "Published (people can find it in the catalog)",
        }
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "lesson": forms.Textarea(attrs={"rows": 10}),
            "scope": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(
        self, *args: Any, people: QuerySet[Person], skill_rows: list[dict[str, Any]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [("", "Choose a format"), *CatalogItem.Kind.choices]
        kind.widget.attrs["data-format-select"] = ""
        self.fields["sponsor"] = person_field(people, label="Sponsor", help_text="Who backs the work and signs it off")
        if self.instance.pk and self.instance.sponsor_id:
            # The email box shows the sponsor's email, not their id.
            self.initial["sponsor"] = self.instance.sponsor
        language = self.fields["language"]
        assert isinstance(language, forms.ChoiceField)
        stored = self.instance.language if self.instance.pk else ""
        if stored and stored not in language_names():
            # A value typed before there was a list stays choosable (and visible) until someone fixes it.
            language.choices = [(stored, f"“{stored}”: not a known language, choose one"), *language_choices()]
            language.help_text = f"“{stored}” was typed before there was a list: choose the language it means."
        levels = scale_choices()
        if skill_rows is None:
            skill_rows = (
                [
                    {"skill": s.skill.name, "level": s.target_level}
                    for s in self.instance.skills_taught.select_related("skill").order_by("skill__name")
                ]
                if self.instance.pk
                else []
            )
        # A post without the rows (an older client, a script) leaves the skills as they are.
        self.rows_posted = not self.is_bound or "skills-TOTAL_FORMS" in self.data
        rows_data = self.data if self.rows_posted else {"skills-TOTAL_FORMS": "0", "skills-INITIAL_FORMS": "0"}
        self.skill_rows = cast(type[BaseSkillRows], SkillRowFormSet)(
            rows_data if self.is_bound else None,
            prefix="skills",
            initial=[*skill_rows, *([{}] * BLANK_SKILL_ROWS)] if not self.is_bound else None,
            form_kwargs={"levels": levels},
        )
        self.empty_skill_row = self.skill_rows.empty_form

    @property
    def kind_value(self) -> str:
        value = self["kind"].value()
        return str(value) if value in CatalogItem.Kind.values else ""

    def common_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in COMMON_FIELDS if name != "is_published"]

    def format_groups(self) -> list[FormatGroup]:
        kind = self.kind_value
        return [
            FormatGroup(
                legend=legend,
                kinds=tuple(k for k, owned in FORMAT_FIELDS.items() if set(owned) & set(names)),
                fields=[self[name] for name in names],
                shown=bool(kind) and names[0] in FORMAT_FIELDS.get(kind, ()),
            )
            for legend, names in GROUPS
        ]

    def _other_formats(self) -> set[str]:
        owned = {name for names in FORMAT_FIELDS.values() for name in names}
        return owned - set(FORMAT_FIELDS.get(self.cleaned_data.get("kind") or "", ()))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Fields of other formats are neither validated nor kept: a book has no sponsor.
        empty = {"delivery": CatalogItem.Delivery.NONE, "sponsor": None, "file": ""}
        for name in self._other_formats():
            self.errors.pop(name, None)
            data[name] = empty.get(name, "")
        if data.get("kind"):
            # What the format needs, reported with every other problem instead of after them.
            model_fields = {f.name for f in CatalogItem._meta.concrete_fields}
            draft = CatalogItem(**{k: v for k, v in data.items() if k in model_fields - {"sponsor", "file"}})
            draft.file = data.get("file") or ""  # an upload, the file it keeps, or none ("Clear" ticked)
            language_was = self.instance.language if self.instance.pk else None
            for name, messages in format_errors(draft, language_was=language_was).items():
                if name in self.fields and name not in self.errors:
                    self.add_error(name, messages)
        return data

    def is_valid(self) -> bool:
        fields_valid = super().is_valid()
        return self.skill_rows.is_valid() and fields_valid

    def skills(self) -> list[tuple[Skill, int]] | None:
        """The skills and levels chosen, or None when no rows were posted (keep the item's skills)."""
        return list(self.skill_rows.chosen) if self.rows_posted else None

    def problems(self) -> list[tuple[str, str]]:
        """Every error on the page, as (the id of the field to fix, "Label: message"), in page order."""
        found: list[tuple[str | None, str]] = [(None, str(e)) for e in self.non_field_errors()]
        for name in self.fields:
            found += [(self[name].id_for_label, f"{self[name].label}: {e}") for e in self.errors.get(name, [])]
        found += [(None, f"Skills: {e}") for e in self.skill_rows.non_form_errors()]
        for row in self.skill_rows.forms:
            for name in ("skill", "level"):
                found += [(row[name].id_for_label, str(e)) for e in row.errors.get(name, [])]
        return [(anchor or "", text) for anchor, text in found]


class ReflectionForm(forms.Form):
    learned = forms.CharField(
        max_length=MAX_TEXT_FIELD, required=False, label="What did you learn?", widget=forms.Textarea(attrs={"rows": 3})
    )
    apply_plan = forms.CharField(
        max_length=MAX_TEXT_FIELD,
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
        max_length=MAX_TEXT_FIELD,
        label="What was the outcome for the sponsor?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the work delivered, in a sentence or two",
        error_messages={"required": "Say what the work achieved for the sponsor, in a sentence or two."},
    )
    learned = forms.CharField(
        max_length=MAX_TEXT_FIELD,
        label="What did you learn?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what you learned from the assignment."},
    )
    do_differently = forms.CharField(
        max_length=MAX_TEXT_FIELD,
        required=False,
        label="What would you do differently?",
        widget=forms.Textarea(attrs={"rows": 3}),
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
