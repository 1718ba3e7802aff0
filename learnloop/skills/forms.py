from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator

from learnloop.core.bounds import MAX_SMALL_COUNT, MAX_TEXT_FIELD, parse_int
from learnloop.people.models import JobRole
from learnloop.skills.models import ProficiencyLevel, Skill, SkillCategory
from learnloop.skills.scale import MAX_LEVELS, MIN_LEVELS, NewLevel, carried_over, proportional_mapping
from learnloop.skills.services import scale_top


def bound_to_scale(field: forms.Field, *, validate: bool = True) -> None:
    """Make a level field accept 1 to today's top level and tell the browser so (only tell it, without
    `validate`, where advice should see the number as typed). Done per form, since the number of levels
    can change while the server runs."""
    top = scale_top()
    field.widget.attrs["max"] = str(top)
    if validate and isinstance(field, forms.IntegerField):
        field.max_value = top
        field.validators.append(MaxValueValidator(top, message=f"Choose a level from 1 to {top}."))


class SkillSearchForm(forms.Form):
    q = forms.CharField(required=False, label="Search skills", max_length=200)
    category = forms.ModelChoiceField(SkillCategory.objects.all(), required=False, empty_label="Any category")
    retired = forms.BooleanField(required=False, label="Retired skills only")


class SkillForm(forms.Form):
    """A skill's name, category, description and other names; the service checks what must be unique."""

    name = forms.CharField(max_length=200)
    category = forms.ModelChoiceField(SkillCategory.objects.all(), required=False, empty_label="No category")
    description = forms.CharField(max_length=MAX_TEXT_FIELD, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    synonyms = forms.CharField(
        max_length=MAX_TEXT_FIELD,
        required=False,
        label="Other names",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line: abbreviations and other words people search for (K8s for Kubernetes)",
    )

    def clean_synonyms(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["synonyms"].splitlines() if line.strip()]


class CategoryForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(max_length=MAX_TEXT_FIELD, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SkillImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="ESCO's skills file, or learnloop's simple format (see below)")


class RequirementForm(forms.Form):
    skill = forms.ModelChoiceField(Skill.objects.filter(is_active=True))
    level = forms.IntegerField(
        min_value=1, max_value=MAX_SMALL_COUNT, help_text="The level this role needs, on the proficiency scale"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_to_scale(self.fields["level"])


class CareerPathForm(forms.Form):
    to_role = forms.ModelChoiceField(JobRole.objects.all(), label="Next role")
    what_changes = forms.CharField(
        max_length=MAX_TEXT_FIELD,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Scope, responsibilities and expectations that grow",
    )
    typical_months = forms.IntegerField(
        required=False, min_value=1, max_value=240, help_text="How long people usually take, in months"
    )


class LevelForm(forms.Form):
    name = forms.CharField(max_length=60)
    descriptor = forms.CharField(max_length=MAX_TEXT_FIELD, widget=forms.Textarea(attrs={"rows": 2}))


class RatingForm(forms.Form):
    skill = forms.ModelChoiceField(Skill.objects.filter(is_active=True))
    level = forms.IntegerField(
        min_value=1, max_value=MAX_SMALL_COUNT, help_text="On the proficiency scale: what you have seen them do"
    )
    note = forms.CharField(
        max_length=MAX_TEXT_FIELD,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="An example helps the person more than a number",
    )
    evidence = forms.CharField(
        required=False, max_length=300, help_text="Evidence only (L&D admins): what shows this level"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_to_scale(self.fields["level"])


class ScaleSizeForm(forms.Form):
    levels = forms.IntegerField(
        min_value=MIN_LEVELS,
        max_value=MAX_LEVELS,
        label="Number of levels",
        help_text=f"From {MIN_LEVELS} to {MAX_LEVELS}",
    )


class ScaleResizeForm(forms.Form):
    """The new scale's levels (`name_<n>`, `descriptor_<n>`) and where each of today's levels goes
    (`map_<level>`), starting from the proportional mapping and the names that carry over."""

    levels = forms.IntegerField(min_value=MIN_LEVELS, max_value=MAX_LEVELS, widget=forms.HiddenInput)
    # Today's number of levels when the page was drawn: a scale resized meanwhile is not mapped blindly.
    from_levels = forms.IntegerField(min_value=0, max_value=MAX_SMALL_COUNT, widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label="I have checked where today's levels go: change the scale and move every stored level",
        error_messages={"required": "Tick this box to confirm: the change moves every stored level at once."},
    )

    def __init__(self, data: Any = None, *, current: list[ProficiencyLevel], new_top: int) -> None:
        old_top = current[-1].level if current else 0
        self.current, self.new_top = current, new_top
        self.proposed = proportional_mapping(old_top=old_top, new_top=new_top)
        super().__init__(data, initial={"levels": new_top, "from_levels": len(current)})
        by_level = {level.level: level for level in current}
        carried = {new: by_level.get(old) for new, old in carried_over(old_top=old_top, new_top=new_top).items()}
        name_limit = ProficiencyLevel._meta.get_field("name").max_length
        for number in range(1, new_top + 1):
            source = carried.get(number)
            self.fields[f"name_{number}"] = forms.CharField(
                max_length=name_limit, label="Name", initial=source.name if source else ""
            )
            self.fields[f"descriptor_{number}"] = forms.CharField(
                label="Behavioural descriptor",
                help_text="What someone at this level does, observably",
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=source.descriptor if source else "",
            )
        choices = [(number, str(number)) for number in range(1, new_top + 1)]
        for level in current:
            self.fields[f"map_{level.level}"] = forms.TypedChoiceField(
                choices=choices,
                coerce=int,
                label=f"New level for today's {level.level}. {level.name}",
                initial=self.proposed.get(level.level),
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("from_levels") not in (None, len(self.current)):
            raise ValidationError(
                "The scale changed while this page was open: it has "
                f"{len(self.current)} levels now. Check the mapping below again."
            )
        return cleaned

    def level_rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        return [(n, self[f"name_{n}"], self[f"descriptor_{n}"]) for n in range(1, self.new_top + 1)]

    def chosen_mapping(self) -> dict[int, int]:
        """The mapping as chosen so far, each unreadable choice as proposed: for the preview, which shows
        even a form that is not complete yet."""
        chosen = dict(self.proposed)
        if self.is_bound:
            for level in self.current:
                value = parse_int(str(self.data.get(f"map_{level.level}", "")), low=1, high=self.new_top)
                if value is not None:
                    chosen[level.level] = value
        return chosen

    def chosen_names(self) -> dict[int, str]:
        source = self.data if self.is_bound else {}
        return {
            n: str(source.get(f"name_{n}", self.fields[f"name_{n}"].initial) or "").strip()
            for n in range(1, self.new_top + 1)
        }

    def new_levels(self) -> list[NewLevel]:
        data = self.cleaned_data
        return [
            NewLevel(name=data[f"name_{n}"], descriptor=data[f"descriptor_{n}"]) for n in range(1, self.new_top + 1)
        ]

    def mapping(self) -> dict[int, int]:
        return {level.level: self.cleaned_data[f"map_{level.level}"] for level in self.current}

    def add_service_errors(self, exc: ValidationError) -> None:
        """A service error on its field here: `levels.2.name` is `name_3`, `mapping.4` is `map_4`."""
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        for key, messages in errors.items():
            parts, field = key.split("."), None
            index = parse_int(parts[1]) if len(parts) == 3 and parts[0] == "levels" else None
            if index is not None:
                field = f"{parts[2]}_{index + 1}"
            elif len(parts) == 2 and parts[0] == "mapping":
                field = f"map_{parts[1]}"
            self.add_error(field if field in self.fields else None, messages)
