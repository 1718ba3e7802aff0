from typing import Any

from django import forms

from learnloop.learning.models import CatalogItem
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
            "is_published",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "lesson": forms.Textarea(attrs={"rows": 10}),
            "scope": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_skills(self) -> list[tuple[Skill, int]]:
        parsed: list[tuple[Skill, int]] = []
        for number, line in enumerate(self.cleaned_data["skills"].splitlines(), start=1):
            if not line.strip():
                continue
            name, _, level = line.rpartition("=")
            skill = Skill.objects.filter(name__iexact=name.strip()).first()
            if skill is None or not level.strip().isdigit():
                raise forms.ValidationError(f"Line {number}: write a known skill and a level, like 'Coaching = 3'.")
            parsed.append((skill, int(level)))
        return parsed


class ReflectionForm(forms.Form):
    learned = forms.CharField(required=False, label="What did you learn?", widget=forms.Textarea(attrs={"rows": 3}))
    apply_plan = forms.CharField(
        required=False,
        label="How will you apply it?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional, but learning sticks when it is used within a week",
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
    skills_grown = forms.ModelMultipleChoiceField(
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
