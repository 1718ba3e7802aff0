"""CSV imports in the background: the upload becomes a job, a worker checks and writes it, and the
person who started it watches its progress and sees its counts or every problem."""

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from learnloop.core import imports
from learnloop.core.models import AuditEvent, ImportJob
from learnloop.core.response_cache import versions_get
from learnloop.core.testing import Personas
from learnloop.people.models import Person
from learnloop.skills.models import Skill

SKILLS = "name,category,synonyms\nFacilitation,Leadership,Running workshops\nKubernetes,Platform,K8s\n"


def _client(person: Person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def _upload(text: str | bytes, name: str = "skills.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode() if isinstance(text, str) else text, content_type="text/csv")


def _run(job: ImportJob) -> ImportJob:
    imports.import_run.call(job_id=job.pk)
    job.refresh_from_db()
    return job


def test_an_upload_becomes_a_queued_job_and_the_browser_goes_to_its_page(personas: Personas) -> None:
    response = _client(personas.lena).post("/skills/import/", {"file": _upload(SKILLS)})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{job.pk}/"
    assert (job.status, job.kind, job.actor, job.file_name) == ("queued", "skills", personas.lena, "skills.csv")
    assert job.content == SKILLS and job.source == AuditEvent.Source.WEB
    page = _client(personas.lena).get(response["Location"]).content.decode()
    assert "Waiting for the background worker" in page and 'hx-trigger="every 1s"' in page
    assert not Skill.objects.filter(name="Facilitation").exists()


def test_the_worker_imports_it_and_the_page_shows_the_counts_and_stops_polling(personas: Personas) -> None:
    _client(personas.lena).post("/skills/import/", {"file": _upload(SKILLS)})
    job = _run(ImportJob.objects.get())
    assert job.status == "imported" and job.content == "" and job.finished_at is not None
    assert job.result == {"format": "simple", "rows": 2, "created": 2, "updated": 0, "unchanged": 0}
    assert set(Skill.objects.values_list("name", flat=True)) >= {"Facilitation", "Kubernetes"}
    created = AuditEvent.objects.filter(action="skill.create", actor=personas.lena)
    assert created.count() == 2 and set(created.values_list("source", flat=True)) == {"web"}
    page = _client(personas.lena).get(f"/imports/{job.pk}/").content.decode()
    assert "Imported 2 skills (simple format): 2 added, 0 updated, 0 unchanged." in page
    assert "hx-trigger" not in page
    # The import page lists it among the person's recent imports.
    assert f"/imports/{job.pk}/" in _client(personas.lena).get("/skills/import/").content.decode()


def test_a_file_with_problems_writes_nothing_and_every_problem_is_listed_and_downloadable(
    personas: Personas,
) -> None:
    rows = "".join(f"{'' if i % 2 else 'Skill ' + str(i)},Cat\n" for i in range(1200))
    _client(personas.lena).post("/skills/import/", {"file": _upload("name,category\n" + rows)})
    job = _run(ImportJob.objects.get())
    assert job.status == "rejected" and len(job.errors) == 600 and job.content == ""
    assert not Skill.objects.filter(name__startswith="Skill ").exists()
    response = _client(personas.lena).get(f"/imports/{job.pk}/")
    page = response.content.decode()
    assert "Nothing was imported: 600 problems found" in page
    assert "the first 500 are listed here; 100 more are in the download" in page
    assert page.count("is required") == 500
    download = _client(personas.lena).get(f"/imports/{job.pk}/problems.csv")
    lines = download.content.decode().splitlines()
    assert download["Content-Type"].startswith("text/csv") and lines[0] == "line,column,problem"
    assert len(lines) == 601 and lines[1] == "3,name,is required"


def test_people_imports_run_the_same_way_with_their_option(personas: Personas) -> None:
    pat, lena, otto = personas.pat, personas.lena, personas.otto
    # Lena and Otto hold roles Pat does not: a people admin's import may not deactivate them, so they stay.
    text = (
        "employee_id,email,first_name,last_name\n"
        f"N1,n1@example.com,Nina,North\n{pat.employee_id},{pat.email},Pat,Park\n"
        f"{lena.employee_id},{lena.email},Lena,Lind\n{otto.employee_id},{otto.email},Otto,Ortiz\n"
    )
    response = _client(personas.pat).post(
        "/people/import/", {"file": _upload(text, "people.csv"), "deactivate_missing": "on"}
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.options == {"deactivate_missing": True}
    job = _run(job)
    assert job.status == "imported" and job.result["created"] == 1 and job.result["rows"] == 4
    # Everyone not in the file (and with an employee id) was deactivated, as asked.
    assert job.result["deactivated"] == Person.objects.filter(is_active=False, employee_id__isnull=False).count()
    page = _client(personas.pat).get(f"/imports/{job.pk}/").content.decode()
    assert "Imported 4 rows: 1 added" in page


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (b"name\nCaf\xe9\n", "not UTF-8"),
        (b"  \n", "The file is empty"),
        (b"name\nA\x00B\n", "NUL characters"),
    ],
)
def test_a_file_that_is_not_csv_text_is_refused_on_the_form_and_queues_nothing(
    personas: Personas, upload: bytes, message: str
) -> None:
    response = _client(personas.lena).post("/skills/import/", {"file": _upload(upload)})
    assert response.status_code == 400 and message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_file_over_the_importers_limit_is_refused(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    importer = imports.importer_for("skills")
    monkeypatch.setitem(imports._IMPORTERS, "skills", imports.dataclasses.replace(importer, max_bytes=10))
    response = _client(personas.lena).post("/skills/import/", {"file": _upload(SKILLS)})
    assert response.status_code == 400 and "larger than" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_unknown_kinds_and_options_are_refused_by_name(personas: Personas) -> None:
    with pytest.raises(ValidationError) as kind:
        imports.import_start(actor=personas.lena, kind="badges", upload=_upload(SKILLS))
    assert "kind" in kind.value.message_dict
    with pytest.raises(ValidationError) as option:
        imports.import_start(actor=personas.lena, kind="skills", upload=_upload(SKILLS), options={"purge": True})
    assert "options" in option.value.message_dict
    assert not ImportJob.objects.exists()


def test_only_the_person_who_started_an_import_sees_it(personas: Personas) -> None:
    job = imports.import_start(actor=personas.lena, kind="skills", upload=_upload(SKILLS))
    assert _client(personas.otto).get(f"/imports/{job.pk}/").status_code == 404
    assert _client(personas.otto).get(f"/imports/{job.pk}/problems.csv").status_code == 404
    # Problems exist only for a rejected import.
    assert _client(personas.lena).get(f"/imports/{job.pk}/problems.csv").status_code == 404


def test_a_job_is_run_once_even_when_its_task_is_delivered_twice(personas: Personas) -> None:
    job = imports.import_start(actor=personas.lena, kind="skills", upload=_upload(SKILLS))
    assert imports.import_run.call(job_id=job.pk) == "imported"
    assert imports.import_run.call(job_id=job.pk) == "not queued"
    assert AuditEvent.objects.filter(action="skill.create").count() == 2


def test_an_unexpected_error_fails_the_job_with_an_explanation_and_writes_nothing(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**_: Any) -> None:
        # As every importer does, it writes inside its own transaction: a failure undoes the lot.
        with transaction.atomic():
            Skill.objects.create(name="Half written")
            raise RuntimeError("disk on fire")

    importer = imports.importer_for("skills")
    job = imports.import_start(actor=personas.lena, kind="skills", upload=_upload(SKILLS))
    monkeypatch.setitem(imports._IMPORTERS, "skills", imports.dataclasses.replace(importer, run=broken))
    with pytest.raises(RuntimeError):
        imports.import_run.call(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "RuntimeError" in job.failure and job.content == ""
    assert not Skill.objects.filter(name="Half written").exists()
    assert "Try again" in _client(personas.lena).get(f"/imports/{job.pk}/").content.decode()


def test_the_page_says_so_when_no_worker_takes_the_job(personas: Personas) -> None:
    job = imports.import_start(actor=personas.lena, kind="skills", upload=_upload(SKILLS))
    assert "No worker has taken" not in _client(personas.lena).get(f"/imports/{job.pk}/").content.decode()
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(minutes=2))
    assert "No worker has taken" in _client(personas.lena).get(f"/imports/{job.pk}/").content.decode()


def test_a_running_job_shows_its_stage_and_how_far_it_is(personas: Personas) -> None:
    job = imports.import_start(actor=personas.lena, kind="skills", upload=_upload(SKILLS))
    ImportJob.objects.filter(pk=job.pk).update(status="running", stage="checking", done=4500, total=10000)
    client = _client(personas.lena)
    partial = client.get(f"/imports/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert partial.startswith('<section id="import-status"') and "<h1>" not in partial
    assert 'value="45"' in partial and "4,500 of 10,000 rows (45%)" in partial
    ImportJob.objects.filter(pk=job.pk).update(stage="writing", done=0)
    partial = client.get(f"/imports/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    # Writing happens in one transaction, which shows only its end: no made-up percentage.
    assert "Saving 10,000 rows in one transaction" in partial and 'value="' not in partial


def test_progress_is_written_at_most_twice_a_second_but_always_at_a_stage_boundary(personas: Personas) -> None:
    job = imports.import_start(actor=personas.lena, kind="skills", upload=_upload(SKILLS))
    now = [100.0]
    writer = imports.ProgressWriter(job.pk, clock=lambda: now[0])
    seen: list[tuple[str, int, int]] = []

    def call(stage: str, done: int, total: int) -> None:
        writer(stage, done, total)
        row = ImportJob.objects.values_list("stage", "done", "total").get(pk=job.pk)
        seen.append(row)

    call("checking", 0, 3000)
    call("checking", 1000, 3000)  # same stage, too soon: not written
    now[0] += 0.6
    call("checking", 2000, 3000)
    call("checking", 3000, 3000)  # the stage's end: written at once
    call("writing", 0, 3000)  # a new stage: written at once
    assert seen == [
        ("checking", 0, 3000),
        ("checking", 0, 3000),
        ("checking", 2000, 3000),
        ("checking", 3000, 3000),
        ("writing", 0, 3000),
    ]


def test_a_job_is_not_run_for_someone_who_may_no_longer_import(personas: Personas) -> None:
    from learnloop.people.services import role_revoke

    job = imports.import_start(actor=personas.lena, kind="skills", upload=_upload(SKILLS))
    role_revoke(actor=personas.otto, person=personas.lena, role="ld_admin")
    assert imports.import_run.call(job_id=job.pk) == "failed"
    job.refresh_from_db()
    assert "may no longer import" in job.failure and job.content == ""
    assert not Skill.objects.filter(name="Facilitation").exists()
    # Nor may they still read it.
    assert _client(personas.lena).get(f"/imports/{job.pk}/").status_code == 404


def test_the_sweep_gives_up_on_jobs_no_worker_took_and_forgets_old_problems(personas: Personas) -> None:
    waiting = imports.import_start(actor=personas.lena, kind="skills", upload=_upload(SKILLS))
    ImportJob.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    refused = ImportJob.objects.create(
        kind="skills", actor=personas.lena, status="rejected", errors=[[2, "name", "x@example.com is taken"]]
    )
    ImportJob.objects.filter(pk=refused.pk).update(finished_at=timezone.now() - dt.timedelta(days=31))
    recent = ImportJob.objects.create(
        kind="skills", actor=personas.lena, status="rejected", errors=[[2, "name", "is required"]]
    )
    ImportJob.objects.filter(pk=recent.pk).update(finished_at=timezone.now() - dt.timedelta(days=1))
    assert imports.stalled_jobs_fail() == 1
    waiting.refresh_from_db()
    assert waiting.status == "failed" and waiting.content == "" and "within a day" in waiting.failure
    assert ImportJob.objects.get(pk=refused.pk).errors == []
    assert ImportJob.objects.get(pk=recent.pk).errors == [[2, "name", "is required"]]
    page = _client(personas.lena).get(f"/imports/{refused.pk}/").content.decode()
    assert "deleted after 30 days" in page


def test_stalled_jobs_are_failed_by_the_sweep(personas: Personas) -> None:
    old = imports.import_start(actor=personas.lena, kind="skills", upload=_upload(SKILLS))
    fresh = imports.import_start(actor=personas.lena, kind="skills", upload=_upload(SKILLS))
    ImportJob.objects.filter(pk=old.pk).update(status="running", started_at=timezone.now() - dt.timedelta(hours=7))
    ImportJob.objects.filter(pk=fresh.pk).update(status="running", started_at=timezone.now())
    assert imports.stalled_jobs_fail() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, fresh.status) == ("failed", "running")
    assert "worker stopped" in old.failure and old.content == ""


def test_an_import_retires_cached_skill_and_catalog_answers(personas: Personas) -> None:
    before = versions_get(("skills", "catalog"))
    _run(imports.import_start(actor=personas.lena, kind="skills", upload=_upload(SKILLS)))
    after = versions_get(("skills", "catalog"))
    assert all(a > b for a, b in zip(after, before, strict=True))


def test_the_job_page_costs_the_same_queries_with_many_problems(personas: Personas) -> None:
    client = _client(personas.lena)

    def queries(problem_count: int) -> int:
        errors = [[line, "name", "is required"] for line in range(2, problem_count + 2)]
        job = ImportJob.objects.create(kind="skills", actor=personas.lena, status="rejected", errors=errors)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/imports/{job.pk}/").status_code == 200
        return len(captured)

    assert queries(5) == queries(5000)


# --- API ---------------------------------------------------------------------------------------


def _api(person: Person) -> Client:
    from learnloop.accounts.services import token_create

    token = token_create(actor=person, person=person, name="t").secret
    return Client(headers={"Authorization": f"Bearer {token}"})


def test_the_api_starts_an_import_and_reports_its_progress_and_problems(personas: Personas) -> None:
    api = _api(personas.lena)
    response = api.post("/api/v1/imports", {"kind": "skills", "file": _upload("name\nA\n\nB\n,\n")})
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued" and body["percent"] is None and body["problems"] == []
    _run(ImportJob.objects.get(pk=body["id"]))
    job = api.get(f"/api/v1/imports/{body['id']}").json()
    assert job["status"] == "rejected"
    assert job["problems"] == [{"line": 4, "column": "name", "message": "is required"}]
    assert ImportJob.objects.get(pk=body["id"]).source == AuditEvent.Source.API
    listed = api.get("/api/v1/imports").json()
    assert [j["id"] for j in listed["items"]] == [body["id"]]
    assert _api(personas.otto).get("/api/v1/imports").json()["items"] == []


def test_the_api_names_the_field_that_is_wrong(personas: Personas) -> None:
    api = _api(personas.lena)
    unknown = api.post("/api/v1/imports", {"kind": "badges", "file": _upload(SKILLS)})
    assert unknown.status_code == 400 and "kind" in unknown.json()["error"]["fields"]
    option = api.post("/api/v1/imports", {"kind": "skills", "file": _upload(SKILLS), "deactivate_missing": "true"})
    assert option.status_code == 400 and "options" in option.json()["error"]["fields"]
    latin1 = api.post("/api/v1/imports", {"kind": "skills", "file": _upload(b"name\nCaf\xe9\n")})
    assert latin1.status_code == 400 and "file" in latin1.json()["error"]["fields"]
    missing = api.post("/api/v1/imports", {"kind": "skills"})
    assert missing.status_code == 400
    assert not ImportJob.objects.exists()


# --- The real worker ------------------------------------------------------------------------------


@pytest.fixture
def _no_leftover_jobs() -> Iterator[None]:
    yield
    ImportJob.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_the_worker_command_runs_a_queued_import_outside_any_transaction(
    _no_leftover_jobs: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from learnloop.core.testing import PersonFactory
    from learnloop.people.models import RoleGrant

    lena = PersonFactory.create(username="lena-worker")
    RoleGrant.objects.create(person=lena, role="ld_admin")
    stages: list[tuple[str, int, int, bool]] = []
    real = imports.ProgressWriter.__call__

    def spy(self: imports.ProgressWriter, stage: str, done: int, total: int) -> None:
        stages.append((stage, done, total, connection.in_atomic_block))
        real(self, stage, done, total)

    monkeypatch.setattr(imports.ProgressWriter, "__call__", spy)
    text = "name\n" + "".join(f"Skill {i}\n" for i in range(2500))
    job = imports.import_start(actor=lena, kind="skills", upload=_upload(text))
    call_command("worker", "--batch", "--no-schedule", verbosity=0)
    job.refresh_from_db()
    assert job.status == "imported" and job.result["created"] == 2500
    assert (job.done, job.total) == (2500, 2500)
    checking = [s for s in stages if s[0] == "checking"]
    assert [s[1] for s in checking] == [0, 1000, 2000, 2500]
    # Every checking step, and the start of writing, happen outside the import's transaction, so the job
    # page sees them while the import runs.
    assert not any(s[3] for s in checking)
    assert stages[len(checking)] == ("writing", 0, 2500, False)
