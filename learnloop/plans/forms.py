from typing import Any

from django import forms
from django.http import QueryDict

from learnloop.core.bounds import MAX_SMALL_COUNT, MAX_TEXT_FIELD
from learnloop.core.forms import DateField, IdMultipleChoiceField, ids_from
from learnloop.core.templatetags.durations import duration
from learnloop.learning.models import CatalogItem
from learnloop.people.models import JobRole, OrgUnit, Person
from learnloop.plans.models import Goal, Objective, Plan, TransferCheck
from learnloop.plans.services import role_path_options
from learnloop.skills.forms import bound_to_scale
from learnloop.skills.models import RoleRequirement, Skill


class DateInput(forms.DateInput):
    input_type = "date"


class ObjectiveForm(forms.ModelForm):
    class Meta:
        model = Objective
        fields = ["title", "description", "period", "parent", "org_unit", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = Objective.objects.filter(is_active=True)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
        self.fields["parent"].required = False
        self.fields["org_unit"].queryset = OrgUnit.objects.order_by("path")  # type: ignore[attr-defined]
        self.fields["org_unit"].required = False


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["period", "starts_on", "ends_on"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}
        labels = {"starts_on": "Starts on", "ends_on": "Ends on"}
        field_classes = {"starts_on": DateField, "ends_on": DateField}

    def validate_unique(self) -> None:
        # The service checks one plan per person and period, with a friendlier message.
        pass


class ItemChoiceField(IdMultipleChoiceField):
    def label_from_instance(self, obj: CatalogItem) -> str:
        minutes = f" · {duration(obj.duration_minutes)}" if obj.duration_minutes else ""
        return f"{obj.title} ({obj.get_kind_display()}{minutes})"


SUGGESTIONS = 24


def suggest_items(*, person: Person, chosen_ids: list[int]) -> list[CatalogItem]:
    """The items already chosen, then published items teaching a skill the person's role path needs."""
    roles = [role.pk for role in role_path_options(person)]
    skill_ids = RoleRequirement.objects.filter(job_role_id__in=roles).values("skill_id")
    chosen = list(CatalogItem.objects.filter(pk__in=chosen_ids, is_published=True).order_by("title"))
    teaching = (
        CatalogItem.objects.filter(is_published=True, skills_taught__skill_id__in=skill_ids)
        .exclude(pk__in=chosen_ids)
        .distinct()
        .order_by("title")[:SUGGESTIONS]
    )
    return [*chosen, *teaching]


class GoalForm(forms.Form):
    kind = forms.ChoiceField(choices=Goal.Kind.choices, widget=forms.RadioSelect, label="This goal is to")
    skill = forms.ModelChoiceField(Skill.objects.filter(is_active=True), required=False, empty_label="Choose a skill")
    target_level = forms.IntegerField(required=False, min_value=1, max_value=MAX_SMALL_COUNT, label="Target level")
    outcome = forms.CharField(
        max_length=MAX_TEXT_FIELD,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What will be different when it is done",
    )
    measure = forms.CharField(
        max_length=MAX_TEXT_FIELD,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="How it will be measured",
        help_text="A number, a result, or whose feedback will show it",
    )
    objective = forms.ModelChoiceField(
        Objective.objects.filter(is_active=True), required=False, empty_label="No objective", label="Org objective"
    )
    role = forms.ModelChoiceField(JobRole.objects.none(), required=False, empty_label="No role path", label="Role path")
    due_on = DateField(required=False, widget=DateInput(), label="Due date")
    # Validated against every published item; only suggestions and the chosen ones are rendered (see
    # `suggest_items`), so the form stays small however big the catalog is. Search adds more (htmx).
    items = ItemChoiceField(
        CatalogItem.objects.filter(is_published=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Learning items",
    )

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The service checks the level on save; the SMART check advises on a level above the top as typed.
        bound_to_scale(self.fields["target_level"], validate=False)
        roles = role_path_options(person)
        self.fields["role"].queryset = JobRole.objects.filter(pk__in=[r.pk for r in roles])  # type: ignore[attr-defined]
        self.fields["role"].help_text = "Your own role, or the next role you are growing towards"
        if isinstance(self.data, QueryDict):
            chosen = self.data.getlist("items")
        else:
            chosen = (self.data.get("items") if self.is_bound else self.initial.get("items")) or []
        suggested = suggest_items(person=person, chosen_ids=ids_from(chosen))
        field = self.fields["items"]
        assert isinstance(field, ItemChoiceField)
        field.widget.choices = [(item.pk, field.label_from_instance(item)) for item in suggested]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["items"] = list(data.get("items") or [])
        data["outcome"] = data.get("outcome") or ""
        data["measure"] = data.get("measure") or ""
        return data


class CommentForm(forms.Form):
    body = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class TransferAnswerForm(forms.Form):
    applied = forms.ChoiceField(
        choices=TransferCheck.Applied.choices, widget=forms.RadioSelect, label="Was it applied on the job?"
    )
    how = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="How? Or what got in the way?",
        max_length=5000,
    )
