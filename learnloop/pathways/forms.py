from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from learnloop.core import forms as core_forms
from learnloop.core.bounds import MAX_SMALL_COUNT
from learnloop.core.forms import DateField, IdMultipleChoiceField, ids_from, person_field
from learnloop.learning.models import CatalogItem
from learnloop.pathways.models import Pathway, Step
from learnloop.pathways.selectors import team_resolve
from learnloop.people.models import JobRole, OrgUnit, Person


class PathwayFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search pathways", max_length=200)
    job_role = forms.ModelChoiceField(JobRole.objects.all(), required=False, empty_label="Any job role")
    career_stage = forms.ChoiceField(required=False, choices=Pathway.CareerStage.choices, label="Career stage")


class PathwayForm(forms.ModelForm):
    class Meta:
        model = Pathway
        fields = [
            "title",
            "description",
            "audience",
            "job_role",
            "career_stage",
            "certification_months",
            "is_published",
        ]
        labels = {"certification_months": "Certification valid for (months)", "is_published": "Published"}
        help_texts = {
            "certification_months": "Completing the pathway awards a certification valid this long; empty for none",
            "is_published": "Published pathways can be browsed and assigned",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


def _items() -> Any:
    return CatalogItem.objects.filter(is_published=True).order_by("title")


class StageForm(forms.Form):
    """A new stage. Its items are validated against every published item but never drawn as one long list:
    the page shows the ones chosen and what a search finds (`chosen_items`, `selectors.item_search`)."""

    title = forms.CharField(max_length=200)
    items = IdMultipleChoiceField(
        _items(),
        label="Catalog items",
        help_text="The steps of this stage: search the catalog and tick each one",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one catalog item for this stage."},
    )
    required_count = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_SMALL_COUNT,
        label="How many are needed",
        help_text="Leave empty to need all of them; 2 with 3 items means “any 2 of these 3”",
    )

    @staticmethod
    def chosen_items(values: list[str]) -> list[CatalogItem]:
        """The published items ticked so far, by title (at most as many as a stage can sensibly hold)."""
        return list(_items().filter(pk__in=ids_from(values[:MAX_CHOSEN])))


MAX_CHOSEN = 100


class StageEditForm(forms.Form):
    title = forms.CharField(max_length=200)
    required_count = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_SMALL_COUNT,
        label="How many are needed",
        help_text="Leave empty to need all steps",
    )


class StepAddForm(forms.Form):
    item = forms.ModelChoiceField(_items(), label="Add a catalog item")


class PrerequisitesForm(forms.Form):
    prerequisites = IdMultipleChoiceField(
        Step.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Steps that must be done first",
    )

    def __init__(self, *args: Any, step: Step, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["prerequisites"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = (
            Step.objects.filter(stage__pathway_id=step.stage.pathway_id, stage__position__lte=step.stage.position)
            .exclude(pk=step.pk)
            .select_related("item", "stage")
            .order_by("stage__position", "position")
        )
        field.label_from_instance = lambda s: f"{s.stage.title}: {s.item.title}"  # type: ignore[method-assign,assignment]


class AssignForm(forms.Form):
    pathway = forms.ModelChoiceField(Pathway.objects.none())
    person = forms.ModelChoiceField(Person.objects.none(), required=False)  # its place; the field: __init__
    team = forms.ModelChoiceField(
        OrgUnit.objects.none(),
        required=False,
        empty_label="—",
        label="Or a whole team",
        help_text="Everyone active in it",
    )
    required = forms.TypedChoiceField(
        choices=[("1", "Required"), ("0", "Voluntary (a suggestion)")],
        coerce=lambda v: v == "1",
        initial="1",
        label="Required or voluntary",
    )
    due_on = DateField(required=False, label="Due date", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, pathways: Any, people: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pathway"].queryset = pathways  # type: ignore[attr-defined]
        # Past the shared limit (an L&D admin may assign any of 10,000) a box for the sign-in email.
        self.fields["person"] = person_field(people, label="Person", unknown="No one you may assign has this email.")
        # The same for teams (about 1,100 at 10,000 people): type a name, suggestions come from a bounded search.
        self.teams = teams
        self.team_search = teams.count() > core_forms.PICK_LIMIT
        if self.team_search:
            self.fields["team"] = forms.CharField(
                required=False,
                max_length=500,
                label="Or a whole team",
                help_text="Everyone active in it. Type part of its name or path and pick a suggestion",
                widget=forms.TextInput(
                    attrs={
                        "list": "team-options",
                        "autocomplete": "off",
                        "hx-get": reverse("pathways:team_search"),
                        "hx-trigger": "input changed delay:300ms",
                        "hx-target": "#team-options",
                        "hx-sync": "this:replace",
                    }
                ),
            )
        else:
            self.fields["team"].queryset = teams  # type: ignore[attr-defined]
            self.fields["team"].label_from_instance = lambda u: u.path  # type: ignore[attr-defined]

    def clean_team(self) -> OrgUnit | None:
        team = self.cleaned_data.get("team")
        if not self.team_search or not team:
            return team or None
        try:
            return team_resolve(teams=self.teams, text=team)
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["team"]) from exc

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("person")) == bool(data.get("team")):
            raise forms.ValidationError("Choose either a person or a team.")
        return data


class DueDateForm(forms.Form):
    due_on = DateField(required=False, label="Due date", widget=forms.DateInput(attrs={"type": "date"}))
