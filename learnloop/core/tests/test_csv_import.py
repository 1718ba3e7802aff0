"""The problems every CSV import shares, reported as row problems through each way in: the command
line, the web upload and the API (the worker runs the uploaded ones)."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from learnloop.accounts.services import token_create
from learnloop.core import imports
from learnloop.core.csv_import import MAX_FIELD_CHARS, RowError, read_rows
from learnloop.core.models import ImportJob
from learnloop.core.testing import Personas
from learnloop.people.models import Person
from learnloop.skills.models import Skill

LONG = "x" * (MAX_FIELD_CHARS + 1)
BIG_FIELD = f"name,description\nFacilitation,Workshops\nKubernetes,{LONG}\n"
TWICE = "name,category,name\nFacilitation,Leadership,Kubernetes\n"


def _problems_from_the_web(personas: Personas, text: str) -> list[list[object]]:
    client = Client()
    client.force_login(personas.lena)
    upload = SimpleUploadedFile("skills.csv", text.encode(), content_type="text/csv")
    assert client.post("/skills/import/", {"file": upload}).status_code == 302
    job = ImportJob.objects.get()
    imports.import_run.call(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "rejected", job.failure
    return job.errors


def _problems_from_the_api(personas: Personas, text: str) -> list[dict[str, object]]:
    token = token_create(actor=personas.lena, person=personas.lena, name="t").secret
    api = Client(headers={"Authorization": f"Bearer {token}"})
    upload = SimpleUploadedFile("skills.csv", text.encode(), content_type="text/csv")
    started = api.post("/api/v1/imports", {"kind": "skills", "file": upload})
    assert started.status_code == 202
    imports.import_run.call(job_id=started.json()["id"])
    job = api.get(f"/api/v1/imports/{started.json()['id']}").json()
    assert job["status"] == "rejected"
    return job["problems"]


def _problems_from_the_command(tmp_path: Path, kind: str, text: str) -> str:
    path = tmp_path / f"{kind}.csv"
    path.write_text(text)
    err = []

    class Capture:
        def write(self, message: str) -> None:
            err.append(message)

        def flush(self) -> None:
            return None

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import", kind, str(path), stderr=Capture())
    return "".join(err)


def test_a_field_over_the_limit_is_a_problem_of_its_row_and_column_on_the_web(personas: Personas) -> None:
    problems = _problems_from_the_web(personas, BIG_FIELD)
    assert [problem[:2] for problem in problems] == [[3, "description"]]
    assert f"longer than {MAX_FIELD_CHARS:,} characters" in str(problems[0][2])
    assert not Skill.objects.filter(name="Facilitation").exists()


def test_a_field_over_the_limit_is_a_problem_of_its_row_and_column_in_the_api(personas: Personas) -> None:
    problems = _problems_from_the_api(personas, BIG_FIELD)
    assert [(p["line"], p["column"]) for p in problems] == [(3, "description")]


@pytest.mark.django_db
def test_a_field_over_the_limit_is_a_problem_of_its_row_and_column_on_the_command_line(tmp_path: Path) -> None:
    people = (
        "employee_id,email,first_name,last_name,title\n"
        "E1,a@acme.example,Ann,Ames,Lead\n"
        f"E2,b@acme.example,Bo,Berg,{LONG}\n"
    )
    printed = _problems_from_the_command(tmp_path, "people", people)
    assert "line 3, title: is longer than" in printed
    assert "line 3, description: is longer than" in _problems_from_the_command(tmp_path, "skills", BIG_FIELD)
    assert not Person.objects.exists() and not Skill.objects.exists()


def test_a_quote_left_open_is_reported_on_its_line_not_as_a_failure(personas: Personas) -> None:
    text = 'name,description\nFacilitation,Workshops\nKubernetes,"Containers\n' + "more text\n" * 15_000
    problems = _problems_from_the_web(personas, text)
    assert [problem[:2] for problem in problems] == [[3, "description"]]
    assert "a quote left open" in str(problems[0][2])


def test_a_column_named_twice_is_refused_by_name_on_the_web(personas: Personas) -> None:
    problems = _problems_from_the_web(personas, TWICE)
    assert problems == [[1, "header", "column(s) named more than once: name; name each column once"]]
    assert not Skill.objects.exists()


def test_a_column_named_twice_is_refused_by_name_in_the_api(personas: Personas) -> None:
    problems = _problems_from_the_api(personas, "conceptUri,preferredLabel,preferredLabel\nhttp://e/1,A,B\n")
    assert problems == [
        {
            "line": 1,
            "column": "header",
            "message": "column(s) named more than once: preferredLabel; name each column once",
        }
    ]


@pytest.mark.django_db
def test_a_column_named_twice_is_refused_by_name_on_the_command_line(tmp_path: Path) -> None:
    people = "employee_id,email,first_name,last_name,email\nE1,a@acme.example,Ann,Ames,b@acme.example\n"
    assert "line 1, header: column(s) named more than once: email" in _problems_from_the_command(
        tmp_path, "people", people
    )
    assert not Person.objects.exists()


def test_empty_column_names_at_the_end_of_an_export_are_not_duplicates() -> None:
    errors: list[RowError] = []
    header, rows = read_rows("conceptUri,preferredLabel,,\nhttp://e/1,A,,\n", errors, required=())
    assert errors == [] and header == ["conceptUri", "preferredLabel", "", ""] and len(rows) == 1


def test_a_field_at_the_limit_is_read() -> None:
    errors: list[RowError] = []
    _, rows = read_rows(f"name\n{'x' * MAX_FIELD_CHARS}\n", errors, required=("name",))
    assert errors == [] and len(rows[0]["name"]) == MAX_FIELD_CHARS
