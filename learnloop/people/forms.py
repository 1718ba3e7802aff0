import zoneinfo

from django import forms

from learnloop.core.forms import DateField
from learnloop.core.roles import GRANTABLE_ROLES, Role
from learnloop.people.models import JobRole, Location, OrgUnit, Person
from learnloop.people.services import ADMIN_EDITABLE_FIELDS


class DirectorySearchForm(forms.Form):
    q = forms.CharField(required=False, label="Search people", max_length=200)
    org_unit = forms.ModelChoiceField(
        OrgUnit.objects.all(), required=False, label="Team or unit", empty_label="Any team"
    )
    location = forms.ModelChoiceField(Location.objects.all(), required=False, empty_label="Any location")
    job_role = forms.ModelChoiceField(JobRole.objects.all(), required=False, empty_label="Any job role")
    include_inactive = forms.BooleanField(required=False, label="Include people who have left")


def time_zone_choices() -> list[tuple[str, str]]:
    return [
        (zone, zone.replace("_", " "))
        for zone in sorted(zoneinfo.available_timezones())
        if "/" in zone or zone == "UTC"
    ]


class ProfileSelfForm(forms.Form):
    preferred_name = forms.CharField(required=False, max_length=150, help_text="Shown instead of the first name")
    time_zone = forms.ChoiceField(choices=time_zone_choices, help_text="Used for dates, reminders and calendars")


class ProfileAdminForm(ProfileSelfForm):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField()
    employee_id = forms.CharField(required=False, max_length=64)
    title = forms.CharField(required=False, max_length=150)
    job_role = forms.ModelChoiceField(JobRole.objects.all(), required=False)
    org_unit = forms.ModelChoiceField(OrgUnit.objects.all(), required=False)
    location = forms.ModelChoiceField(Location.objects.all(), required=False)
    manager = forms.ModelChoiceField(Person.objects.filter(is_active=True), required=False)
    hire_date = DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    field_order = list(ADMIN_EDITABLE_FIELDS)

    def clean_employee_id(self) -> str | None:
        return self.cleaned_data["employee_id"] or None


class DeactivateForm(forms.Form):
    left_on = DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Last working day; today if left empty",
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=[(r.value, Role(r).label) for r in GRANTABLE_ROLES])
    grant = forms.BooleanField(required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="UTF-8, one person per row; see the column list below")
    deactivate_missing = forms.BooleanField(
        required=False, label="Deactivate active people who are not in the file (a full HR export)"
    )
