"""`make bench-imports`: how long the web/API imports take, stage by stage, on a fresh database.

Two files are generated (deterministic, in memory): an ESCO-shaped skills file of 14,000 rows (about the
size of ESCO's English skills file, with ESCO's columns, two other labels and a description per skill) and
an HR export of 10,000 people (units three levels deep, managers, locations, job roles). Each goes through
the same path as an upload: `import_start` (decode, keep as a job, queue the task), then `import_run`
(the task the worker runs), first into an empty organization, then again unchanged (a re-import that
only compares). The stages are timed from the importer's own progress callbacks: reading, checking (the
rows per second the job page's progress bar moves at) and writing (one transaction).

Results: `benchmarks/results/imports-<backend>-<time>.json`, `latest-imports-<backend>.json` and a
generated section of `docs/benchmarks.md`. The internal `_run` sub-command runs inside Django with the
bench database's environment.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import (  # run.py is a sibling script, not a package
    PROJECT_DIR,
    BenchmarkError,
    ensure_postgres_database,
    learnloop_command,
    log,
    machine_info,
    run_command,
    save_report,
    write_generated_block,
)

DEFAULT_SQLITE_PATH = PROJECT_DIR / "var" / "bench-imports.sqlite3"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/learnloop_bench_imports"
ESCO_HEADER = (
    "conceptType,conceptUri,skillType,reuseLevel,preferredLabel,altLabels,hiddenLabels,status,"
    "modifiedDate,scopeNote,definition,inScheme,description"
)
PEOPLE_HEADER = "employee_id,email,first_name,last_name,title,job_role,org_unit,location,manager_employee_id,time_zone"
VERBS = ("manage", "design", "apply", "assess", "coordinate", "operate", "develop", "teach", "maintain", "analyse")
OBJECTS = ("networks", "budgets", "curricula", "test plans", "supply chains", "data models", "workshops", "records")
OFFICES = (("Berlin", "Europe/Berlin"), ("Lisbon", "Europe/Lisbon"), ("New York", "America/New_York"))


def esco_file(rows: int) -> str:
    lines = [ESCO_HEADER]
    for i in range(rows):
        label = f"{VERBS[i % len(VERBS)]} {OBJECTS[(i // len(VERBS)) % len(OBJECTS)]} {i}"
        alt = f'"{label} (practice)\n{label.replace(" ", "-")}"'
        description = f"Plan, carry out and review the work of {label} so that it meets the agreed standard."
        lines.append(
            f"KnowledgeSkillCompetence,http://data.europa.eu/esco/skill/bench-{i:06d},skill/competence,"
            f'sector-specific,{label},{alt},,released,2024-01-01T00:00:00Z,,,,"{description}"'
        )
    return "\n".join(lines) + "\n"


def people_file(rows: int) -> str:
    lines = [PEOPLE_HEADER]
    for i in range(rows):
        manager = "" if i == 0 else f"P{(i - 1) // 8:06d}"
        office, zone = OFFICES[i % len(OFFICES)]
        unit = f"Acme / Division {i % 5} / Department {i % 20} / Team {i % 200}"
        lines.append(
            f"P{i:06d},person{i}@bench.example,First{i},Last{i},Engineer,Engineer {i % 4 + 1},"
            f"{unit},{office},{manager},{zone}"
        )
    return "\n".join(lines) + "\n"


# --- Inside Django ----------------------------------------------------------------------------------


def _timed_import(kind: str, text: str, actor: Any, options: dict[str, Any]) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from learnloop.core import imports
    from learnloop.core.models import ImportJob

    marks: list[tuple[str, float]] = []
    real = imports.ProgressWriter.__call__

    def timed(self: imports.ProgressWriter, stage: str, done: int, total: int) -> None:
        if not marks or marks[-1][0] != stage:
            marks.append((stage, time.perf_counter()))
        real(self, stage, done, total)

    imports.ProgressWriter.__call__ = timed  # type: ignore[method-assign]
    try:
        upload = SimpleUploadedFile(f"{kind}.csv", text.encode(), content_type="text/csv")
        started = time.perf_counter()
        job = imports.import_start(actor=actor, kind=kind, upload=upload, options=options)
        queued = time.perf_counter()
        imports.import_run.call(job_id=job.pk)
        ended = time.perf_counter()
    finally:
        imports.ProgressWriter.__call__ = real  # type: ignore[method-assign]
    job = ImportJob.objects.get(pk=job.pk)
    if job.status != ImportJob.Status.IMPORTED:
        raise BenchmarkError(f"{kind} import ended {job.status}: {job.errors[:5] or job.failure}")
    stages = {"reading": marks[0][1] - queued if marks else 0.0}
    bounds = [*marks, ("end", ended)]
    for (stage, at), (_, next_at) in itertools.pairwise(bounds):
        stages[stage] = stages.get(stage, 0.0) + next_at - at
    rows = int(job.result.get("rows", 0))
    return {
        "kind": kind,
        "rows": rows,
        "megabytes": round(len(text.encode()) / 1e6, 1),
        "result": job.result,
        "queue_s": round(queued - started, 3),
        "stages_s": {k: round(v, 3) for k, v in stages.items()},
        "total_s": round(ended - started, 3),
        "rows_per_s": round(rows / (ended - started)),
    }


def inside(args: argparse.Namespace) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnloop.config.settings")
    import django

    django.setup()
    from learnloop.people.models import Person, RoleGrant

    actor, _ = Person.objects.get_or_create(username="bench-importer", defaults={"first_name": "Bench"})
    for role in ("ld_admin", "people_admin"):  # who may import skills and people
        RoleGrant.objects.get_or_create(person=actor, role=role)
    runs = []
    for kind, text, options in (
        ("skills", esco_file(args.skills), {}),
        ("people", people_file(args.people), {"deactivate_missing": False}),
    ):
        for attempt in ("first import", "unchanged re-import"):
            log(f"{kind}: {attempt}")
            runs.append({"run": attempt, **_timed_import(kind, text, actor, options)})
    print(json.dumps(runs))


# --- Driver ------------------------------------------------------------------------------------------


def docs_section(report: dict[str, Any]) -> str:
    head = (
        f"Imports on {report['machine'].get('database', report['backend'])}, {report['machine'].get('cpu_model', '')}; "
        f"commit {report['machine'].get('commit', '?')}.\n\n"
        "| File | Run | Rows | MB | Queue | Reading | Checking | Writing | Total | Rows/s |\n"
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|"
    )
    lines = [head]
    for run in report["runs"]:
        stages = run["stages_s"]
        lines.append(
            f"| {run['kind']} | {run['run']} | {run['rows']:,} | {run['megabytes']} | {run['queue_s']:.2f} s | "
            f"{stages.get('reading', 0):.2f} s | {stages.get('checking', 0):.2f} s | "
            f"{stages.get('writing', 0):.2f} s | {run['total_s']:.2f} s | {run['rows_per_s']:,} |"
        )
    return "\n".join(lines)


def bench(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SQLITE_PATH"}}
    if backend == "postgres":
        subprocess.run(["dropdb", "--if-exists", *_pg_args(args.database_url)], check=False, capture_output=True)
        ensure_postgres_database(args.database_url)
        env["DATABASE_URL"] = args.database_url
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.sqlite_path}{suffix}").unlink(missing_ok=True)
        env["SQLITE_PATH"] = str(args.sqlite_path)
    log(f"migrating a fresh {backend} database")
    run_command(learnloop_command("migrate", "--noinput"), env=env, timeout=600)
    output = run_command(
        [sys.executable, __file__, "_run", "--skills", str(args.skills), "--people", str(args.people)],
        env=env,
        timeout=3600,
    )
    runs = json.loads(output.strip().splitlines()[-1])
    return {"backend": backend, "machine": machine_info(backend, env), "runs": runs}


def _pg_args(url: str) -> list[str]:
    import urllib.parse

    parts = urllib.parse.urlsplit(url)
    return ["-h", parts.hostname or "127.0.0.1", "-U", parts.username or "postgres", parts.path.lstrip("/")]


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("command", nargs="?", default="bench", choices=["bench", "_run"])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--sqlite-path", type=Path, default=DEFAULT_SQLITE_PATH)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--skills", type=int, default=14_000, help="Rows in the ESCO-shaped skills file")
    parser.add_argument("--people", type=int, default=10_000, help="Rows in the HR export")
    parser.add_argument("--no-docs", action="store_true", help="Do not rewrite docs/benchmarks.md")
    args = parser.parse_args(argv)
    if args.command == "_run":
        inside(args)
        return 0
    for backend in ("sqlite", "postgres") if args.backend == "both" else (args.backend,):
        report = bench(backend, args)
        path = save_report(f"imports-{backend}", report)
        log(f"saved {path}")
        print(docs_section(report))
        if not args.no_docs:
            write_generated_block(f"imports-{backend}", docs_section(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
