import io

import pytest
from django.core.management import CommandError, call_command

from learnloop.core.models import AuditEvent
from learnloop.people.importer import ImportRejected, people_import
from learnloop.people.models import Location, OrgUnit, Person

HEADER = (
    "employee_id,email,first_name,last_name,title,org_unit,location,manager_employee_id,hire_date,time_zone,status\n"
)
ORG = HEADER + (
    "E1,ceo@acme.example,Cora,Chen,CEO,Acme,Berlin,,2015-01-05,Europe/Berlin,active\n"
    "E2,vp@acme.example,Vik,Varga,VP Eng,Acme / Engineering,Berlin,E1,2016-02-01,Europe/Berlin,active\n"
    "E3,lead@acme.example,Lea,Lund,Lead,Acme / Engineering / Atlas,New York,E2,2018-03-01,America/New_York,active\n"
    "E4,dev@acme.example,Dev,Dahl,Engineer,Acme / Engineering / Atlas,New York,E3,2020-04-01,America/New_York,active\n"
)


def _import(text: str, **kwargs: object) -> object:
    return people_import(actor=None, text=text, **kwargs)  # type: ignore[arg-type]


@pytest.mark.django_db
def test_it_imports_an_organization_with_units_locations_and_managers() -> None:
    result = _import(ORG)
    assert (result.created, result.updated) == (4, 0)  # type: ignore[attr-defined]
    dev = Person.objects.get(employee_id="E4")
    assert dev.manager.employee_id == "E3"
    assert dev.org_unit.path == "Acme / Engineering / Atlas"
    assert dev.org_unit.kind == OrgUnit.Kind.TEAM
    assert dev.location.name == "New York"
    assert dev.hire_date.isoformat() == "2020-04-01"
    assert not dev.has_usable_password()
    assert set(Location.objects.values_list("name", flat=True)) == {"Berlin", "New York"}
    assert AuditEvent.objects.filter(action="person.create").count() == 4


@pytest.mark.django_db
def test_it_updates_people_by_employee_id_when_imported_again() -> None:
    _import(ORG)
    changed = ORG.replace("Dev,Dahl,Engineer", "Dev,Dahl,Senior Engineer")
    result = _import(changed)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 3)  # type: ignore[attr-defined]
    assert Person.objects.get(employee_id="E4").title == "Senior Engineer"
    event = AuditEvent.objects.filter(action="person.update").get()
    assert event.changes == {"title": ["Engineer", "Senior Engineer"]}


@pytest.mark.django_db
def test_it_reports_every_bad_row_with_line_and_column_and_writes_nothing() -> None:
    bad = HEADER + (
        "E1,ceo@acme.example,Cora,Chen,CEO,Acme,Berlin,,2015-13-05,Europe/Berlin,active\n"
        "E2,not-an-email,Vik,,VP,Acme,Berlin,E9,2016-02-01,Mars/Olympus,retired\n"
        "E1,ceo@acme.example,Dup,Dup,X,Acme,Berlin,,,UTC,active\n"
    )
    with pytest.raises(ImportRejected) as caught:
        _import(bad)
    found = {(e.line, e.column) for e in caught.value.errors}
    assert {
        (2, "hire_date"),
        (3, "email"),
        (3, "last_name"),
        (3, "manager_employee_id"),
        (3, "time_zone"),
        (3, "status"),
        (4, "employee_id"),
        (4, "email"),
    } <= found
    assert Person.objects.count() == 0
    assert OrgUnit.objects.count() == 0
    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db
def test_it_rejects_cycles_in_the_manager_graph() -> None:
    cyclic = HEADER + (
        "E1,a@acme.example,A,A,,,,E3,,UTC,active\n"
        "E2,b@acme.example,B,B,,,,E1,,UTC,active\n"
        "E3,c@acme.example,C,C,,,,E2,,UTC,active\n"
        "E4,d@acme.example,D,D,,,,E1,,UTC,active\n"
    )
    with pytest.raises(ImportRejected) as caught:
        _import(cyclic)
    assert sorted(e.line for e in caught.value.errors if e.column == "manager_employee_id") == [2, 3, 4]
    assert Person.objects.count() == 0


@pytest.mark.django_db
def test_it_rejects_a_cycle_formed_with_people_already_in_learnloop() -> None:
    _import(ORG)
    # The CEO now reports to the engineer who is (through the existing chain) under them.
    cycle = HEADER + "E1,ceo@acme.example,Cora,Chen,CEO,Acme,Berlin,E4,2015-01-05,Europe/Berlin,active\n"
    with pytest.raises(ImportRejected) as caught:
        _import(cycle)
    assert [(e.line, e.column) for e in caught.value.errors] == [(2, "manager_employee_id")]
    assert Person.objects.get(employee_id="E1").manager is None


@pytest.mark.django_db
def test_it_rejects_unknown_and_missing_columns() -> None:
    with pytest.raises(ImportRejected) as caught:
        _import("employee_id,email,first_name,shoe_size\nE1,a@b.example,A,44\n")
    messages = " ".join(e.message for e in caught.value.errors)
    assert "last_name" in messages and "shoe_size" in messages


@pytest.mark.django_db
def test_it_refuses_an_email_that_belongs_to_someone_else() -> None:
    _import(ORG)
    clash = HEADER + "E9,dev@acme.example,New,Person,,,,,,UTC,active\n"
    with pytest.raises(ImportRejected) as caught:
        _import(clash)
    assert [(e.line, e.column) for e in caught.value.errors] == [(2, "email")]


@pytest.mark.django_db
def test_it_deactivates_leavers_and_people_missing_from_a_full_export() -> None:
    _import(ORG)
    left = ORG.replace("2020-04-01,America/New_York,active", "2020-04-01,America/New_York,left")
    result = _import(left)
    assert result.deactivated == 1  # type: ignore[attr-defined]
    dev = Person.objects.get(employee_id="E4")
    assert not dev.is_active and dev.left_on is not None
    without_lead = "".join(line + "\n" for line in ORG.splitlines() if not line.startswith("E3"))
    result = _import(without_lead.replace(",E3,2020", ",E2,2020"), deactivate_missing=True)
    assert not Person.objects.get(employee_id="E3").is_active
    assert Person.objects.count() == 4  # leavers are kept, never deleted


@pytest.mark.django_db
def test_whoever_runs_an_import_cannot_deactivate_themselves_with_it() -> None:
    _import(ORG)
    vik = Person.objects.get(employee_id="E2")
    without_vik = "".join(line + "\n" for line in ORG.splitlines() if not line.startswith("E2"))
    with pytest.raises(ImportRejected) as missing:
        people_import(actor=vik, text=without_vik.replace(",E2,2018", ",E1,2018"), deactivate_missing=True)
    assert [(e.line, e.column) for e in missing.value.errors] == [(1, "deactivate_missing")]
    assert "employee E2" in missing.value.errors[0].message
    leaving = ORG.replace("2016-02-01,Europe/Berlin,active", "2016-02-01,Europe/Berlin,left")
    with pytest.raises(ImportRejected) as left:
        people_import(actor=vik, text=leaving)
    assert [(e.line, e.column) for e in left.value.errors] == [(3, "status")]
    assert Person.objects.filter(is_active=True).count() == 4
    # Someone else may record that Vik left.
    assert people_import(actor=None, text=leaving).deactivated == 1


@pytest.mark.django_db
def test_the_command_prints_every_problem_and_fails(tmp_path: object) -> None:
    path = tmp_path / "people.csv"
    path.write_text(HEADER + "E1,broken,A,,,,,,,UTC,active\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 problem"):
        call_command("import", "people", str(path), stderr=err)
    assert "line 2, email" in err.getvalue() and "line 2, last_name" in err.getvalue()
    assert Person.objects.count() == 0


@pytest.mark.django_db
def test_the_command_imports_and_shows_progress(tmp_path: object) -> None:
    path = tmp_path / "people.csv"
    path.write_text(ORG)
    out, err = io.StringIO(), io.StringIO()
    call_command("import", "people", str(path), stdout=out, stderr=err)
    assert "4 added" in out.getvalue()
    assert "checking 4 / 4 rows (100%)" in err.getvalue()


@pytest.mark.django_db
def test_the_command_names_a_missing_file() -> None:
    with pytest.raises(CommandError, match="no such file"):
        call_command("import", "people", "/nonexistent/people.csv")


@pytest.mark.django_db
def test_a_user_name_that_is_the_email_follows_an_email_change() -> None:
    _import(ORG)
    _import(ORG.replace("dev@acme.example", "dev.dahl@acme.example"))
    dev = Person.objects.get(employee_id="E4")
    assert (dev.email, dev.username) == ("dev.dahl@acme.example", "dev.dahl@acme.example")
    assert AuditEvent.objects.filter(action="person.update").get().changes["username"] == [
        "dev@acme.example",
        "dev.dahl@acme.example",
    ]


@pytest.mark.django_db
def test_an_email_that_is_someone_elses_user_name_is_refused() -> None:
    _import(ORG)
    Person.objects.filter(employee_id="E3").update(username="old.login@acme.example")
    with pytest.raises(ImportRejected) as caught:
        _import(ORG.replace("dev@acme.example", "old.login@acme.example"))
    assert [(e.line, e.column) for e in caught.value.errors] == [(5, "email")]
