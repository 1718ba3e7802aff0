from django import forms

from learnloop.core.bounds import MAX_SMALL_COUNT
from learnloop.people.models import JobRole
from learnloop.skills.models import Skill, SkillCategory


class SkillSearchForm(forms.Form):
    q = forms.CharField(required=False, label="Search skills", max_length=200)
    category = forms.ModelChoiceField(SkillCategory.objects.all(), required=False, empty_label="Any category")
    retired = forms.BooleanField(required=False, label="Retired skills only")


class SkillForm(forms.Form):
    """A skill's name, category, description and other names; the service checks what must be unique."""

    name = forms.CharField(max_length=200)
    category = forms.ModelChoiceField(SkillCategory.objects.all(), required=False, empty_label="No category")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    synonyms = forms.CharField(
        required=False,
        label="Other names",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line: abbreviations and other words people search for (K8s for Kubernetes)",
    )

    def clean_synonyms(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["synonyms"].splitlines() if line.strip()]


class CategoryForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SkillImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="ESCO's skills file, or learnloop's simple format (see below)")


class RequirementForm(forms.Form):
    skill = forms.ModelChoiceField(Skill.objects.filter(is_active=True))
    level = forms.IntegerField(
        min_value=1, max_value=MAX_SMALL_COUNT, help_text="The level this role needs, on the proficiency scale"
    )


class CareerPathForm(forms.Form):
    to_role = forms.ModelChoiceField(JobRole.objects.all(), label="Next role")
    what_changes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Scope, responsibilities and expectations that grow",
    )
    typical_months = forms.IntegerField(
        required=False, min_value=1, max_value=240, help_text="How long people usually take, in months"
    )


class LevelForm(forms.Form):
    name = forms.CharField(max_length=60)
    descriptor = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class RatingForm(forms.Form):
    skill = forms.ModelChoiceField(Skill.objects.filter(is_active=True))
    level = forms.IntegerField(
        min_value=1, max_value=MAX_SMALL_COUNT, help_text="On the proficiency scale: what you have seen them do"
    )
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="An example helps the person more than a number",
    )
    evidence = forms.CharField(
        required=False, max_length=300, help_text="Evidence only (L&D admins): what shows this level"
    )
