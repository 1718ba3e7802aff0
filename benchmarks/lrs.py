"""`make bench-lrs`: the xAPI LRS under load, next to Ralph and the raw database ceiling.

For each stored size (10k and 50k statements by default; 1M with `--sizes 10000,50000,1000000`) and
each database (SQLite, PostgreSQL), the store is pre-filled with the same deterministic statements,
then these are timed over HTTP with one Python client (keep-alive connections, a few threads):

- POST /xapi/statements with batches of 1, 100 and 1,000 statements (statements/s, latency);
- GET by agent (one connection, and eight connections), by activity + verb, by a since/until
  window, and paging through a window with the `more` links (p50/p95/p99, req/s).

The same client and data go to Ralph (`ralph-malph`, file-system backend, in its own virtualenv under
/tmp, started by the benchmark-only `benchmarks/ralph_launcher.py`), and the same database gets plain
executemany INSERTs and an indexed SELECT by agent: the ceiling the LRS could reach. Server and
client are pinned to different cores like `benchmarks/run.py`. Timed POSTs are rolled back after each
operation so every size stays the size it says. Results: `benchmarks/results/lrs-<backend>-<time>.json`,
`latest-lrs-<backend>.json` and a generated section of `docs/benchmarks.md`.

Internal sub-commands (`_fill`, `_analyze`, `_probe`, `_explain`, `_rollback`, `_raw`) run inside Django with the bench
database's environment; they are how the benchmark reaches the service layer and the database.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import functools
import http.client
import itertools
import json
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import (  # run.py is a sibling script, not a package
    COMMAND_TIMEOUT_S,
    DOCS_PAGE,
    PROJECT_DIR,
    BenchmarkError,
    Server,
    ServerConfig,
    ensure_postgres_database,
    learnloop_command,
    log,
    machine_info,
    pinned,
    production_env,
    run_command,
    running_server,
    save_report,
    stop_process_group,
    write_generated_block,
)

BENCH_DIR = Path(__file__).resolve().parent
RALPH_LAUNCHER = BENCH_DIR / "ralph_launcher.py"
DEFAULT_SQLITE_PATH = PROJECT_DIR / "var" / "bench-lrs.sqlite3"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/learnloop_bench_lrs"
DEFAULT_RALPH_VENV = Path(tempfile.gettempdir()) / "ralph-venv"
RALPH_REQUIREMENT = "ralph-malph[backend-fs,lrs,cli]"
RALPH_EXTRA_REQUIREMENTS = ("requests",)  # imported by ralph.api.auth.oidc but not declared by 5.1
XAPI_VERSION = "1.0.3"
FILL_TIMEOUT_S = 3 * 60 * 60
HTTP_TIMEOUT_S = 120
SEED = 20261121

# Targets from the issue (2 cores).
TARGET_INGEST_PER_S = 3000  # statements/s sustained at 1M stored, PostgreSQL
TARGET_AGENT_P95_MS = 10.0  # agent-filtered GET p95 at 1M stored
TARGET_VS_RALPH = 10.0  # ingest at 50k stored, learnloop / Ralph
TARGET_INGEST_SIZE = 1_000_000
TARGET_RALPH_SIZE = 50_000


# --- Deterministic statements ---------------------------------------------------------------------

AGENTS = 4000
COURSES = 24
MODULES_PER_COURSE = 12  # 24 courses x 12 modules + 24 courses = 312 activities
YEAR_START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
YEAR_SECONDS = 365 * 24 * 3600
ADL = "http://adlnet.gov/expapi/verbs/"
# ~20 verbs, weighted roughly like a course player's output: many "experienced", few "voided"-like rarities.
VERBS: tuple[tuple[str, str, int], ...] = (
    (ADL + "experienced", "experienced", 30),
    (ADL + "attempted", "attempted", 10),
    (ADL + "completed", "completed", 10),
    (ADL + "passed", "passed", 6),
    (ADL + "failed", "failed", 2),
    (ADL + "answered", "answered", 12),
    (ADL + "interacted", "interacted", 8),
    (ADL + "launched", "launched", 6),
    (ADL + "initialized", "initialized", 4),
    (ADL + "terminated", "terminated", 4),
    (ADL + "progressed", "progressed", 4),
    (ADL + "scored", "scored", 2),
    (ADL + "commented", "commented", 1),
    (ADL + "asked", "asked", 1),
    (ADL + "registered", "registered", 1),
    (ADL + "shared", "shared", 1),
    (ADL + "mastered", "mastered", 1),
    (ADL + "preferred", "preferred", 1),
    (ADL + "suspended", "suspended", 1),
    (ADL + "resumed", "resumed", 1),
)
VERB_WEIGHTS = tuple(itertools.accumulate(weight for _, _, weight in VERBS))
RESULT_VERBS = {"completed", "passed", "failed", "answered", "scored", "mastered"}
REGISTRATION_NAMESPACE = uuid.UUID("6f1f3c1e-2b7a-4c55-9d55-1c0a5b0e7a11")


def agent_mbox(number: int) -> str:
    return f"mailto:learner{number:05d}@bench.example"


def course_iri(course: int) -> str:
    return f"https://courses.bench.example/course-{course:02d}"


def module_iri(course: int, module: int) -> str:
    return f"{course_iri(course)}/module-{module:02d}"


def make_statement(index: int) -> dict[str, Any]:
    """Statement number `index`: the same dict on every call, for every LRS."""
    rng = random.Random(SEED * 1_000_003 + index)
    agent = min(int(rng.paretovariate(1.2)) - 1, AGENTS - 1) if rng.random() < 0.3 else rng.randrange(AGENTS)
    course = rng.randrange(COURSES)
    module = rng.randrange(MODULES_PER_COURSE)
    verb_iri, verb_name, _ = rng.choices(VERBS, cum_weights=VERB_WEIGHTS)[0]
    moment = YEAR_START + dt.timedelta(seconds=rng.randrange(YEAR_SECONDS), milliseconds=rng.randrange(1000))
    statement: dict[str, Any] = {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "actor": {"objectType": "Agent", "name": f"Learner {agent:05d}", "mbox": agent_mbox(agent)},
        "verb": {"id": verb_iri, "display": {"en-US": verb_name}},
        "object": {
            "objectType": "Activity",
            "id": module_iri(course, module),
            "definition": {
                "name": {"en-US": f"Course {course:02d}, module {module:02d}"},
                "type": "http://adlnet.gov/expapi/activities/module",
            },
        },
        "context": {
            "registration": str(uuid.uuid5(REGISTRATION_NAMESPACE, f"{agent}:{course}")),
            "contextActivities": {
                "parent": [{"objectType": "Activity", "id": course_iri(course)}],
                "grouping": [{"objectType": "Activity", "id": "https://courses.bench.example/programme"}],
            },
            "platform": "learnloop benchmark",
            "language": "en-US",
        },
        "timestamp": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }
    if verb_name in RESULT_VERBS:
        scaled = round(rng.random(), 2)
        statement["result"] = {
            "score": {"scaled": scaled, "raw": round(scaled * 100), "min": 0, "max": 100},
            "success": verb_name != "failed" and scaled >= 0.5,
            "completion": verb_name in {"completed", "passed", "mastered"},
            "duration": f"PT{rng.randrange(1, 90)}M{rng.randrange(60)}S",
        }
    return statement


# --- Inside Django: fill, probe, roll back, raw ceiling -------------------------------------------


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnloop.config.settings")
    import django

    django.setup()


def internal_fill(args: argparse.Namespace) -> int:
    """Store statements [start, stop) through statements_store, in big batches."""
    django_setup()
    from django.db import IntegrityError, OperationalError

    from learnloop.lrs.models import Client
    from learnloop.lrs.services import statements_store

    client = Client.objects.get(name=args.client)
    start, target = args.start, args.stop
    began = time.monotonic()
    last_report = began
    index = start
    while index < target:
        stop = min(index + args.batch, target)
        for attempt in range(1, 6):
            try:
                statements_store(
                    statements=[make_statement(i) for i in range(index, stop)], version=XAPI_VERSION, client=client
                )
                break
            except (OperationalError, IntegrityError) as exc:
                # Parallel fills on PostgreSQL can deadlock in _remember_activities (see docs/benchmarks.md).
                print(f"[fill] batch at {index:,} failed ({exc.__class__.__name__}), retry {attempt}", file=sys.stderr)
                if attempt == 5:
                    raise
                time.sleep(0.2 * attempt)
        index = stop
        now = time.monotonic()
        if now - last_report >= 10 or index == target:
            rate = (index - start) / max(now - began, 1e-9)
            eta = (target - index) / max(rate, 1e-9)
            print(
                f"[fill {start:,}-{target:,}] {index - start:,}/{target - start:,} stored "
                f"({rate:,.0f}/s, about {eta:,.0f} s left)",
                file=sys.stderr,
                flush=True,
            )
            last_report = now
    return 0


def internal_analyze(args: argparse.Namespace) -> int:
    """Refresh the planner's statistics after a fill, as autovacuum would a little later on a live LRS:
    freshly filled tables have none, and the planner then scans the table for a query that an index
    (such as the partial index of referencing statements) answers at once."""
    django_setup()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return 0


def internal_probe(args: argparse.Namespace) -> int:
    """Count, top seq, and a `stored` window holding one fill batch from the middle of the data."""
    django_setup()
    from django.db.models import Max

    from learnloop.lrs.models import Statement

    count = Statement.objects.count()
    top = Statement.objects.aggregate(top=Max("seq"))["top"] or 0
    live = Statement.objects.filter(voided=False)  # as pages read them, through the live-statement index
    middle = live.order_by("seq").values_list("stored", flat=True)[count // 2 : count // 2 + 1]
    window: dict[str, Any] = {}
    if middle:
        until = middle[0]
        since = live.filter(stored__lt=until).order_by("-stored").values_list("stored", flat=True).first()
        if since is not None:
            inside = live.filter(stored__gt=since, stored__lte=until).count()
            window = {"since": iso_z(since), "until": iso_z(until), "count": inside}
    print(json.dumps({"count": count, "top_seq": top, "window": window}))
    return 0


EXPLAIN_REPEATS = 15


def internal_explain(args: argparse.Namespace) -> int:
    """EXPLAIN ANALYZE of `since`/`until` pages (limit 100, both orders) at the stored size, PostgreSQL only:
    the database's own execution times, which a loaded machine skews less than HTTP latencies. Windows:
    one fill batch from the middle (the HTTP operation's), the middle tenth of the store, and the newest
    tenth (`since` only). Prints each window's plan (its scan nodes) and p50/p95 execution time."""
    django_setup()
    from django.db import connection

    from learnloop.lrs import selectors
    from learnloop.lrs.models import Statement

    live = Statement.objects.filter(voided=False).order_by("seq").values_list("stored", flat=True)
    count = live.count()
    if connection.vendor != "postgresql" or count < 10:
        print(json.dumps({}))
        return 0

    def stored_at(fraction: float) -> dt.datetime:
        return live[int(count * fraction)]

    middle = stored_at(0.5)
    before_middle = Statement.objects.filter(voided=False, stored__lt=middle).order_by("-stored")
    windows = {
        "one batch": (before_middle.values_list("stored", flat=True).first(), middle),
        "middle tenth": (stored_at(0.45), stored_at(0.55)),
        "newest tenth, since only": (stored_at(0.9), None),
    }
    results: dict[str, Any] = {}
    for name, (since, until) in windows.items():
        for ascending in (False, True):
            query = selectors.StatementFilter(since=since, until=until, limit=100, ascending=ascending)
            values = selectors._page_values(query, bound=None, after_seq=None)
            walk = selectors._window_meets_the_walk(query, values)
            compiled = selectors._page_sql(query, values, limit=100, follow=False, probe=False, walk=walk)
            assert compiled is not None
            times = []
            plan: list[str] = []
            with connection.cursor() as cursor:
                for _ in range(EXPLAIN_REPEATS):
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + compiled[0], compiled[1])
                    lines = [line for (line,) in cursor.fetchall()]
                    times.append(float(lines[-1].split(":")[1].split()[0]))
                    plan = [line.strip().split("  (")[0].lstrip("-> ") for line in lines if "Scan" in line]
            key = f"{name}, {'ascending' if ascending else 'newest first'}"
            results[key] = {
                "walk": walk,
                "plan": plan,
                "p50_ms": round(statistics.median(times), 2),
                "p95_ms": round(statistics.quantiles(times, n=20)[18], 2),
            }
            print(
                f"[explain] {key:45} p50 {results[key]['p50_ms']:7.2f} ms, p95 {results[key]['p95_ms']:7.2f} ms  "
                f"{' / '.join(plan)}",
                file=sys.stderr,
                flush=True,
            )
    print(json.dumps(results))
    return 0


def iso_z(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def internal_rollback(args: argparse.Namespace) -> int:
    """Delete every statement after seq N (and its agent and activity rows): undo the timed POSTs."""
    django_setup()
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM lrs_statementagent WHERE statement_id > %s", [args.after_seq])
        cursor.execute("DELETE FROM lrs_statementactivity WHERE statement_id > %s", [args.after_seq])
        cursor.execute("DELETE FROM lrs_statement WHERE seq > %s", [args.after_seq])
        deleted = cursor.rowcount
    print(json.dumps({"deleted": deleted}))
    return 0


RAW_TABLE = "bench_raw_statement"
RAW_COLUMNS = (
    "statement_id, stored, timestamp, actor_key, verb_id, object_type, object_ref, registration, voided, "
    "object_statement, version, data"
)


def raw_ddl(vendor: str) -> list[str]:
    """A table shaped like lrs_statement, with the same indexes (no foreign keys)."""
    if vendor == "postgresql":
        columns = (
            "seq bigserial PRIMARY KEY, statement_id uuid NOT NULL UNIQUE, stored timestamptz NOT NULL, "
            "timestamp timestamptz NOT NULL, actor_key varchar(400) NOT NULL, verb_id varchar(400) NOT NULL, "
            "object_type varchar(20) NOT NULL, object_ref varchar(400) NOT NULL, registration uuid NULL, "
            "voided boolean NOT NULL, object_statement uuid NULL, version varchar(10) NOT NULL, data jsonb NOT NULL"
        )
    else:
        columns = (
            "seq integer PRIMARY KEY AUTOINCREMENT, statement_id char(32) NOT NULL UNIQUE, stored datetime NOT NULL, "
            "timestamp datetime NOT NULL, actor_key varchar(400) NOT NULL, verb_id varchar(400) NOT NULL, "
            "object_type varchar(20) NOT NULL, object_ref varchar(400) NOT NULL, registration char(32) NULL, "
            "voided bool NOT NULL, object_statement char(32) NULL, version varchar(10) NOT NULL, data text NOT NULL"
        )
    statements = [f"DROP TABLE IF EXISTS {RAW_TABLE}", f"CREATE TABLE {RAW_TABLE} ({columns})"]
    for name, cols in (
        ("actor", "actor_key, seq DESC"),
        ("verb", "verb_id, seq DESC"),
        ("object", "object_ref, seq DESC"),
        ("registration", "registration, seq DESC"),
        ("stored", "stored, seq"),
        ("object_statement", "object_statement"),
    ):
        statements.append(f"CREATE INDEX {RAW_TABLE}_{name} ON {RAW_TABLE} ({cols})")
    return statements


def raw_row(statement: dict[str, Any], vendor: str, now: dt.datetime) -> tuple[Any, ...]:
    from learnloop.lrs.agents import agent_key

    def as_uuid(value: str | None) -> Any:
        if value is None:
            return None
        return uuid.UUID(value) if vendor == "postgresql" else uuid.UUID(value).hex

    moment = dt.datetime.fromisoformat(statement["timestamp"].replace("Z", "+00:00"))
    return (
        as_uuid(statement["id"]),
        now if vendor == "postgresql" else now.isoformat(),
        moment if vendor == "postgresql" else moment.isoformat(),
        agent_key(statement["actor"]),
        statement["verb"]["id"],
        "Activity",
        statement["object"]["id"],
        as_uuid(statement["context"]["registration"]),
        False,
        None,
        "1.0.0",
        json.dumps(statement),
    )


def percentiles(samples_ms: Sequence[float]) -> dict[str, float]:
    if not samples_ms:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0, "max_ms": 0.0, "mean_ms": 0.0}
    ordered = sorted(samples_ms)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]

    return {
        "p50_ms": round(at(0.50), 3),
        "p95_ms": round(at(0.95), 3),
        "p99_ms": round(at(0.99), 3),
        "max_ms": round(ordered[-1], 3),
        "mean_ms": round(statistics.fmean(ordered), 3),
    }


def internal_raw(args: argparse.Namespace) -> int:
    """The ceiling: executemany INSERTs into a table like lrs_statement, and an indexed SELECT by agent."""
    django_setup()
    from django.db import connection, transaction

    from learnloop.lrs.agents import agent_key

    vendor = connection.vendor
    deadline = time.monotonic() + args.max_seconds
    with connection.cursor() as cursor:
        for sql in raw_ddl(vendor):
            cursor.execute(sql)
        # Untimed: the same rows the LRS holds, so the table is the size being measured.
        cursor.execute(
            f"INSERT INTO {RAW_TABLE} ({RAW_COLUMNS}) SELECT {RAW_COLUMNS} FROM lrs_statement ORDER BY seq"  # noqa: S608
        )
        if vendor == "postgresql":
            cursor.execute(f"ANALYZE {RAW_TABLE}")
        cursor.execute(f"SELECT count(*) FROM {RAW_TABLE}")  # noqa: S608
        stored = int(cursor.fetchone()[0])
    now = dt.datetime.now(dt.UTC)
    insert_sql = f"INSERT INTO {RAW_TABLE} ({RAW_COLUMNS}) VALUES ({', '.join(['%s'] * 12)})"  # noqa: S608
    result: dict[str, Any] = {"stored": stored, "vendor": vendor}

    # Batches of 1,000 rows, one transaction each (like POST with 1,000 statements).
    rows = [raw_row(make_statement(args.first_index + i), vendor, now) for i in range(args.rows)]
    batch_times: list[float] = []
    inserted = 0
    started = time.perf_counter()
    for offset in range(0, len(rows), 1000):
        if time.monotonic() > deadline:
            break
        begin = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(insert_sql, rows[offset : offset + 1000])
        batch_times.append((time.perf_counter() - begin) * 1000)
        inserted += len(rows[offset : offset + 1000])
    elapsed = time.perf_counter() - started
    result["insert_batch_1000"] = {
        "statements": inserted,
        "statements_per_s": round(inserted / max(elapsed, 1e-9), 1),
        **percentiles(batch_times),
    }

    # One row per transaction (like POST with one statement).
    singles = [raw_row(make_statement(args.first_index + args.rows + i), vendor, now) for i in range(args.singles)]
    single_times: list[float] = []
    started = time.perf_counter()
    for row in singles:
        if time.monotonic() > deadline:
            break
        begin = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(insert_sql, row)
        single_times.append((time.perf_counter() - begin) * 1000)
    elapsed = time.perf_counter() - started
    result["insert_single"] = {
        "statements": len(single_times),
        "statements_per_s": round(len(single_times) / max(elapsed, 1e-9), 1),
        **percentiles(single_times),
    }

    # Indexed SELECT of the newest 25 statements of an agent, data included.
    select_sql = f"SELECT seq, data FROM {RAW_TABLE} WHERE actor_key = %s ORDER BY seq DESC LIMIT 25"  # noqa: S608
    agents = [agent_key({"mbox": agent_mbox(number)}) for number in sample_agents(200)]
    select_times: list[float] = []
    found = 0
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for agent in itertools.islice(itertools.cycle(agents), args.selects):
            if time.monotonic() > deadline:
                break
            begin = time.perf_counter()
            cursor.execute(select_sql, [agent])
            found += len(cursor.fetchall())
            select_times.append((time.perf_counter() - begin) * 1000)
    elapsed = time.perf_counter() - started
    result["select_agent"] = {
        "requests": len(select_times),
        "requests_per_s": round(len(select_times) / max(elapsed, 1e-9), 1),
        "rows_per_select": round(found / max(len(select_times), 1), 1),
        **percentiles(select_times),
    }
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {RAW_TABLE}")
    print(json.dumps(result))
    return 0


def sample_agents(count: int) -> list[int]:
    rng = random.Random(SEED + 7)
    return [rng.randrange(AGENTS) for _ in range(count)]


# --- The load client ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes | None = None
    statements: int = 0  # statements carried (POST) or expected per page (GET): for statements/s


@dataclass
class Target:
    """Where requests go: a base URL and the credentials header for it."""

    name: str  # "learnloop" or "ralph"
    base_url: str
    authorization: str
    server: Server | None = None

    def headers(self, *, body: bool) -> dict[str, str]:
        headers = {"Authorization": self.authorization, "X-Experience-API-Version": XAPI_VERSION}
        if body:
            headers["Content-Type"] = "application/json"
        return headers


@dataclass
class OpResult:
    lrs: str
    operation: str
    concurrency: int
    requests: int
    statements: int
    duration_s: float
    requests_per_s: float
    statements_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    server_cpu_ms_per_request: float | None
    server_cpu_busy: float | None
    first_result_count: int | None = None
    stored_before: int | None = None
    note: str = ""
    errors: dict[str, int] = field(default_factory=dict)


class Connection:
    """One keep-alive HTTP/1.1 connection that reconnects if the server closed it."""

    def __init__(self, base_url: str) -> None:
        parts = urllib.parse.urlsplit(base_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port
        self.conn: http.client.HTTPConnection | None = None

    def send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> tuple[int, bytes]:
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=HTTP_TIMEOUT_S)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                return response.status, data
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def run_load(
    target: Target,
    make_request: Callable[[int], Request],
    *,
    concurrency: int,
    duration_s: float,
    max_requests: int,
    follow_more: bool = False,
    max_pages: int = 0,
) -> tuple[list[float], int, float, dict[str, int], int | None]:
    """Closed-loop load: `concurrency` threads each send a request, wait for it, send the next.

    Stops at `duration_s` or after `max_requests`, whichever comes first. With `follow_more`, each
    thread walks a query's `more` links (up to `max_pages` pages) before starting the next query.
    Returns latencies (ms), statements moved, wall time, error counts and the first answer's size."""
    counter = itertools.count()
    latencies: list[float] = []
    statements = 0
    errors: dict[str, int] = {}
    first_count: list[int] = []
    lock = threading.Lock()
    deadline = time.monotonic() + duration_s
    stop = threading.Event()

    def record(ms: float, moved: int) -> None:
        nonlocal statements
        with lock:
            latencies.append(ms)
            statements += moved

    def fail(kind: str, detail: str) -> None:
        with lock:
            errors[kind] = errors.get(kind, 0) + 1
            if errors[kind] == 1:
                errors[f"first {kind}: {detail[:300]}"] = 1
        stop.set()

    def worker() -> None:
        connection = Connection(target.base_url)
        try:
            while not stop.is_set() and time.monotonic() < deadline:
                number = next(counter)
                if number >= max_requests:
                    return
                request = make_request(number)
                path: str | None = request.path
                pages = 0
                while path and not stop.is_set() and time.monotonic() < deadline:
                    headers = target.headers(body=request.body is not None)
                    begin = time.perf_counter()
                    try:
                        status, data = connection.send(request.method, path, request.body, headers)
                    except OSError as exc:
                        fail("socket", repr(exc))
                        return
                    elapsed = (time.perf_counter() - begin) * 1000
                    if not 200 <= status < 300:
                        fail(f"http {status}", data.decode("utf-8", "replace"))
                        return
                    moved = request.statements
                    path = None
                    if request.method == "GET":
                        answer = json.loads(data)
                        moved = len(answer.get("statements", []))
                        if not first_count:
                            first_count.append(moved)
                        pages += 1
                        if follow_more and answer.get("more") and pages < max_pages:
                            path = answer["more"]
                    record(elapsed, moved)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration_s + HTTP_TIMEOUT_S + 30)
    wall = time.perf_counter() - started
    if any(thread.is_alive() for thread in threads):
        stop.set()
        errors["hung threads"] = 1
    return latencies, statements, wall, errors, first_count[0] if first_count else None


# --- The operations -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Queries:
    """The GET parameters for one LRS at one size: the same agents and activities for every LRS."""

    agents: list[str]
    activity_verbs: list[tuple[str, str]]
    window: tuple[str, str] | None
    window_count: int


def query_sample(stored: int) -> tuple[list[str], list[tuple[str, str]]]:
    rng = random.Random(SEED + stored)
    agents = [agent_mbox(number) for number in sample_agents(200)]
    pairs = []
    for _ in range(200):
        statement = make_statement(rng.randrange(max(stored, 1)))
        pairs.append((statement["object"]["id"], statement["verb"]["id"]))
    return agents, pairs


def statements_path(target: Target) -> str:
    return "/xAPI/statements" if target.name == "ralph" else "/xapi/statements"


def encode(params: dict[str, str]) -> str:
    return urllib.parse.urlencode(params, quote_via=urllib.parse.quote)


@dataclass(frozen=True)
class Operation:
    name: str
    kind: str  # "post" or "get"
    batch: int = 0
    concurrency: int = 1
    limit: int = 25
    paging: bool = False


OPERATIONS = (
    Operation("POST 1 statement", "post", batch=1, concurrency=4),
    Operation("POST 100 statements", "post", batch=100, concurrency=4),
    Operation("POST 1,000 statements", "post", batch=1000, concurrency=2),
    Operation("GET by agent", "get", concurrency=1),
    Operation("GET by agent, 8 connections", "get", concurrency=8),
    Operation("GET by activity + verb", "get", concurrency=1),
    Operation("GET since/until window", "get", concurrency=1, limit=100),
    Operation("GET window, paging via more", "get", concurrency=1, limit=100, paging=True),
)


class StatementCounter:
    """Hands out statement numbers for timed POSTs: never the prefilled ones, never twice in a run."""

    def __init__(self, start: int) -> None:
        self._next = itertools.count(start)

    def take(self, count: int) -> list[int]:
        return [next(self._next) for _ in range(count)]


def get_request_factory(target: Target, op: Operation, queries: Queries) -> Callable[[int], Request]:
    path = statements_path(target)

    def make(number: int) -> Request:
        if op.name.startswith("GET by agent"):
            mbox = queries.agents[number % len(queries.agents)]
            params = {"agent": json.dumps({"objectType": "Agent", "mbox": mbox}), "limit": str(op.limit)}
        elif op.name == "GET by activity + verb":
            activity, verb = queries.activity_verbs[number % len(queries.activity_verbs)]
            params = {"activity": activity, "verb": verb, "limit": str(op.limit)}
        else:
            assert queries.window is not None
            since, until = queries.window
            params = {"since": since, "until": until, "limit": str(op.limit)}
        return Request("GET", f"{path}?{encode(params)}")

    return make


def post_request_factory(target: Target, op: Operation, counter: StatementCounter) -> Callable[[int], Request]:
    path = statements_path(target)

    def make(number: int) -> Request:
        batch = [make_statement(i) for i in counter.take(op.batch)]
        body = json.dumps(batch[0] if op.batch == 1 else batch).encode()
        return Request("POST", path, body=body, statements=op.batch)

    return make


@contextlib.contextmanager
def pinned_to(cpu: int | None) -> Iterator[None]:
    """Pin this process (the load client) to one core for the timed part only."""
    if cpu is None:
        yield
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {cpu})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def measure_op(
    target: Target,
    op: Operation,
    make_request: Callable[[int], Request],
    settings: argparse.Namespace,
    *,
    max_requests: int,
    stored_before: int,
) -> OpResult:
    duration = settings.duration
    if settings.warmup:
        with pinned_to(settings.load_cpu):
            run_load(target, make_request, concurrency=op.concurrency, duration_s=settings.warmup, max_requests=50)
    cpu_before = target.server.cpu_seconds() if target.server else None
    with pinned_to(settings.load_cpu):
        latencies, statements, wall, errors, first = run_load(
            target,
            make_request,
            concurrency=op.concurrency,
            duration_s=duration,
            max_requests=max_requests,
            follow_more=op.paging,
            max_pages=settings.max_pages,
        )
    cpu_used = target.server.cpu_seconds() - cpu_before if target.server and cpu_before is not None else None
    if errors:
        raise BenchmarkError(f"{target.name} {op.name}: errors under load: {errors}")
    if not latencies:
        raise BenchmarkError(f"{target.name} {op.name}: no request finished within {duration} s")
    stats = percentiles(latencies)
    result = OpResult(
        lrs=target.name,
        operation=op.name,
        concurrency=op.concurrency,
        requests=len(latencies),
        statements=statements,
        duration_s=round(wall, 3),
        requests_per_s=round(len(latencies) / wall, 2),
        statements_per_s=round(statements / wall, 1),
        server_cpu_ms_per_request=round(1000 * cpu_used / len(latencies), 3) if cpu_used is not None else None,
        server_cpu_busy=round(cpu_used / wall, 3) if cpu_used is not None else None,
        p50_ms=stats["p50_ms"],
        p95_ms=stats["p95_ms"],
        p99_ms=stats["p99_ms"],
        max_ms=stats["max_ms"],
        mean_ms=stats["mean_ms"],
        first_result_count=first,
        stored_before=stored_before,
    )
    per_s = (
        f"{result.statements_per_s:,.0f} statements/s" if op.kind == "post" else f"{result.requests_per_s:,.1f} req/s"
    )
    log(
        f"  {target.name:9} {op.name:30} {per_s}, p50 {result.p50_ms:.1f} ms, p95 {result.p95_ms:.1f} ms, "
        f"p99 {result.p99_ms:.1f} ms ({result.requests} requests"
        + (f", {first} statements in the first answer" if first is not None else "")
        + ")"
    )
    return result


def measure_lrs(
    target: Target,
    queries: Queries,
    settings: argparse.Namespace,
    *,
    stored: int,
    counter: StatementCounter,
    rollback: Callable[[], None],
    operations: Sequence[Operation],
) -> list[OpResult]:
    results = []
    for op in operations:
        if op.kind == "post":
            cap = max(stored // 2, settings.min_post_statements)
            make = post_request_factory(target, op, counter)
            result = measure_op(target, op, make, settings, max_requests=max(cap // op.batch, 1), stored_before=stored)
            rollback()
        else:
            if "window" in op.name and queries.window is None:
                continue
            make = get_request_factory(target, op, queries)
            max_requests = 1_000_000
            result = measure_op(target, op, make, settings, max_requests=max_requests, stored_before=stored)
        results.append(result)
    return results


# --- learnloop ------------------------------------------------------------------------------------


def backend_env(backend: str, args: argparse.Namespace) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "SQLITE_PATH"}}
    if backend == "postgres":
        env["DATABASE_URL"] = args.database_url
    else:
        env["SQLITE_PATH"] = str(args.sqlite_path)
    return env


def self_command(*args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), *args]


def last_json(output: str) -> dict[str, Any]:
    return dict(json.loads(output.strip().splitlines()[-1]))


class Learnloop:
    def __init__(self, backend: str, args: argparse.Namespace, work_dir: Path) -> None:
        self.backend = backend
        self.args = args
        self.env = backend_env(backend, args)
        self.work_dir = work_dir
        self.client_name = f"lrs-benchmark-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
        self.key = ""
        self.secret = ""

    def prepare(self) -> None:
        if self.backend == "postgres":
            ensure_postgres_database(self.args.database_url)
        log(f"{self.backend}: migrating the LRS benchmark database")
        run_command(learnloop_command("migrate", "--noinput"), env=self.env, timeout=COMMAND_TIMEOUT_S)
        issued = last_json(
            run_command(
                learnloop_command("lrs", "client", "create", self.client_name, "--json"),
                env=self.env,
                timeout=COMMAND_TIMEOUT_S,
            )
        )
        self.key, self.secret = str(issued["key"]), str(issued["secret"])

    def revoke(self) -> None:
        if self.key:
            with contextlib.suppress(BenchmarkError):
                run_command(
                    learnloop_command("lrs", "client", "revoke", self.client_name),
                    env=self.env,
                    timeout=COMMAND_TIMEOUT_S,
                )

    def probe(self) -> dict[str, Any]:
        return last_json(run_command(self_command("_probe"), env=self.env, timeout=COMMAND_TIMEOUT_S))

    def fill(self, size: int) -> dict[str, Any]:
        """Statements [stored count, size) through statements_store, split over --fill-jobs processes."""
        have = int(self.probe()["count"])
        if have >= size:
            return self.probe()
        jobs = max(1, self.args.fill_jobs if self.backend == "postgres" else 1)
        log(f"{self.backend}: filling learnloop from {have:,} to {size:,} statements ({jobs} process(es))")
        started = time.monotonic()
        bounds = [have + (size - have) * part // jobs for part in range(jobs + 1)]
        processes = [
            subprocess.Popen(
                self_command("_fill", "--start", str(a), "--stop", str(b), "--client", self.client_name),
                env=self.env,
                cwd=PROJECT_DIR,
            )
            for a, b in itertools.pairwise(bounds)
            if b > a
        ]
        try:
            for process in processes:
                if process.wait(timeout=FILL_TIMEOUT_S) != 0:
                    raise BenchmarkError(f"filling failed (exit {process.returncode}); see the output above")
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
                    process.wait(timeout=30)
        run_command(self_command("_analyze"), env=self.env, timeout=COMMAND_TIMEOUT_S)
        probe = self.probe()
        log(f"{self.backend}: {probe['count']:,} statements stored ({time.monotonic() - started:.0f} s)")
        return probe

    def explain(self) -> dict[str, Any]:
        if self.backend != "postgres":
            return {}
        log(f"{self.backend}: EXPLAIN ANALYZE of since/until pages")
        return last_json(run_command(self_command("_explain"), env=self.env, timeout=COMMAND_TIMEOUT_S))

    def rollback(self, after_seq: int) -> None:
        run_command(self_command("_rollback", "--after-seq", str(after_seq)), env=self.env, timeout=COMMAND_TIMEOUT_S)

    def raw_ceiling(self, first_index: int) -> dict[str, Any]:
        log(f"{self.backend}: raw database ceiling (executemany INSERT, indexed SELECT by agent)")
        command = self_command(
            "_raw",
            "--first-index",
            str(first_index),
            "--rows",
            str(self.args.raw_rows),
            "--singles",
            str(self.args.raw_singles),
            "--selects",
            str(self.args.raw_selects),
        )
        result = last_json(
            run_command(pinned(command, self.args.server_cpu), env=self.env, timeout=COMMAND_TIMEOUT_S * 4)
        )
        for name in ("insert_batch_1000", "insert_single"):
            log(f"  raw       {name:30} {result[name]['statements_per_s']:,.0f} rows/s")
        log(
            f"  raw       {'select by agent':30} {result['select_agent']['requests_per_s']:,.0f} req/s, "
            f"p95 {result['select_agent']['p95_ms']:.2f} ms"
        )
        return result

    @contextlib.contextmanager
    def serving(self) -> Iterator[Target]:
        server_env = production_env(self.env, static_root=self.work_dir / "static")
        config = ServerConfig(workers=self.args.workers, threads=self.args.threads)
        with running_server(server_env, config, cpu=self.args.server_cpu, log_dir=self.work_dir) as server:
            token = base64.b64encode(f"{self.key}:{self.secret}".encode()).decode()
            yield Target("learnloop", server.base_url, f"Basic {token}", server)


# --- Ralph ----------------------------------------------------------------------------------------


RALPH_PASSWORD = "benchmark-only-" + "0" * 16  # loopback only, a throw-away auth file


class Ralph:
    """Ralph's LRS over its fs backend, fed the same statements; one server process per size."""

    USER = "lrs-benchmark"
    AUTHORITY = {"mbox": "mailto:lrs-benchmark@bench.example", "objectType": "Agent", "name": "lrs-benchmark"}

    def __init__(self, args: argparse.Namespace, work_dir: Path) -> None:
        self.args = args
        self.venv: Path = args.ralph_venv
        self.dir = work_dir / "ralph"
        self.data_dir = self.dir / "data"
        self.file = self.data_dir / "fs_lrs.jsonl"
        self.count = 0

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    def env(self) -> dict[str, str]:
        return {
            **{k: v for k, v in os.environ.items() if not k.startswith("RALPH_")},
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.data_dir),
            "RALPH_BACKENDS__DATA__FS__DEFAULT_DIRECTORY_PATH": str(self.data_dir),
            "RALPH_AUTH_FILE": str(self.dir / "auth.json"),
            "RALPH_HISTORY_FILE": str(self.dir / "history.json"),
            "RALPH_APP_DIR": str(self.dir),
        }

    def install(self) -> None:
        """ralph-malph in its own virtualenv (never in the project's)."""
        ralph = self.venv / "bin" / "ralph"
        if not ralph.exists():
            log(f"installing {RALPH_REQUIREMENT} into {self.venv} (a separate virtualenv)")
            run_command([sys.executable, "-m", "venv", str(self.venv)], env=dict(os.environ), timeout=300)
        check = subprocess.run(
            [str(self.python), "-c", "import ralph.backends.lrs.fs, requests, uvicorn"],
            capture_output=True,
            check=False,
        )
        if check.returncode != 0:
            pip = [str(self.venv / "bin" / "pip"), "install", "--quiet", RALPH_REQUIREMENT, *RALPH_EXTRA_REQUIREMENTS]
            run_command(pip, env=dict(os.environ), timeout=900)

    def version(self) -> str:
        output = run_command(
            [str(self.python), "-c", "from importlib.metadata import version; print(version('ralph-malph'))"],
            env=dict(os.environ),
            timeout=60,
        )
        return output.strip()

    def prepare(self) -> None:
        self.install()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        auth = self.dir / "auth.json"
        if not auth.exists():
            run_command(
                [
                    str(self.venv / "bin" / "ralph"),
                    "auth",
                    "-u",
                    self.USER,
                    "-p",
                    RALPH_PASSWORD,
                    "-s",
                    "all",
                    "-M",
                    self.AUTHORITY["mbox"],
                    "-N",
                    self.USER,
                    "-w",
                ],
                env=self.env(),
                timeout=120,
            )

    def fill(self, size: int) -> None:
        """Append statements exactly as Ralph's POST writes them (id, stored, authority added)."""
        if self.count >= size:
            return
        log(f"ralph: filling the fs backend file to {size:,} statements")
        with self.file.open("a", encoding="utf-8") as out:
            for index in range(self.count, size):
                statement = make_statement(index)
                statement["stored"] = dt.datetime.now(dt.UTC).isoformat()
                statement["authority"] = self.AUTHORITY
                out.write(json.dumps(statement) + "\n")
        self.count = size

    def window(self, size: int, width: int) -> tuple[str, str]:
        """Ralph filters since/until on `timestamp` (learnloop, per xAPI, on `stored`): a window holding
        `width` statements from the middle of the timeline."""
        moments = sorted(make_statement(i)["timestamp"] for i in range(size))
        middle = len(moments) // 2
        return moments[middle - 1], moments[min(middle + width - 1, len(moments) - 1)]

    def truncate(self, length: int) -> None:
        with self.file.open("r+b") as handle:
            handle.truncate(length)

    @contextlib.contextmanager
    def serving(self) -> Iterator[Target]:
        with contextlib.suppress(FileNotFoundError):
            (self.dir / "history.json").unlink()  # the fs backend rewrites its whole history on every call
        port = run_free_port()
        command = pinned([str(self.python), str(RALPH_LAUNCHER), "--port", str(port)], self.args.server_cpu)
        log_path = self.dir / f"ralph-{port}.log"
        with log_path.open("w") as server_log:
            process = subprocess.Popen(
                command,
                env=self.env(),
                cwd=self.dir,
                stdout=server_log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        base_url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    raise BenchmarkError(f"Ralph exited early:\n{log_path.read_text()[-3000:]}")
                with contextlib.suppress(OSError):
                    status, _ = Connection(base_url).send("GET", "/__heartbeat__", None, {})
                    if status == 200:
                        break
                if time.monotonic() > deadline:
                    raise BenchmarkError("Ralph did not answer /__heartbeat__ within 60 s")
                time.sleep(0.3)
            token = base64.b64encode(f"{self.USER}:{RALPH_PASSWORD}".encode()).decode()
            yield Target("ralph", base_url, f"Basic {token}", Server(base_url, process.pid))
        finally:
            stop_process_group(process)


def run_free_port() -> int:
    from run import free_port

    return free_port()


# --- One backend, every size ----------------------------------------------------------------------


def learnloop_queries(stored: int, probe: dict[str, Any]) -> Queries:
    agents, pairs = query_sample(stored)
    window = probe.get("window") or {}
    return Queries(
        agents=agents,
        activity_verbs=pairs,
        window=(window["since"], window["until"]) if window else None,
        window_count=int(window.get("count", 0)),
    )


def bench_backend(
    backend: str, args: argparse.Namespace, work_dir: Path, ralph: Ralph | None, ralph_cache: dict[int, Any]
) -> dict[str, Any]:
    learnloop = Learnloop(backend, args, work_dir)
    learnloop.prepare()
    static_env = production_env(learnloop.env, static_root=work_dir / "static")
    run_command(learnloop_command("collectstatic", "--noinput"), env=static_env, timeout=COMMAND_TIMEOUT_S)
    counter = StatementCounter(10_000_000_000 + int(time.time()) % 1_000_000 * 10_000)
    sizes_out = []
    try:
        for size in args.sizes:
            probe = learnloop.fill(size)
            stored = int(probe["count"])
            if stored != size:
                log(f"warning: {stored:,} statements stored, not {size:,} (left over from an earlier run?)")
            queries = learnloop_queries(stored, probe)
            top_seq = int(probe["top_seq"])
            log(f"{backend}: measuring learnloop at {stored:,} statements ({args.duration} s per operation)")
            with learnloop.serving() as target:
                results = measure_lrs(
                    target,
                    queries,
                    args,
                    stored=stored,
                    counter=counter,
                    rollback=functools.partial(learnloop.rollback, top_seq),
                    operations=selected_operations(args),
                )
            window_explain = learnloop.explain()
            raw = learnloop.raw_ceiling(first_index=counter.take(1)[0] + 1_000_000_000)
            ralph_results = None
            if ralph is not None and size <= args.ralph_max_size:
                if size not in ralph_cache:
                    ralph_cache[size] = bench_ralph(ralph, size, queries.window_count or 1000, args, counter)
                ralph_results = ralph_cache[size]
            sizes_out.append(
                {
                    "size": size,
                    "stored": stored,
                    "window_statements": queries.window_count,
                    "window_explain": window_explain,
                    "learnloop": [asdict(r) for r in results],
                    "ralph": ralph_results,
                    "raw": raw,
                    "load_average": [round(x, 2) for x in os.getloadavg()],
                }
            )
    finally:
        learnloop.revoke()
    machine = machine_info(backend, learnloop.env)
    machine["load_average_1m"] = f"{os.getloadavg()[0]:.2f}"
    return {
        "suite": "lrs",
        "backend": backend,
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "server": {
            "workers": args.workers,
            "threads": args.threads,
            "settings": "LEARNLOOP_ENV=production, DEBUG=false",
            "cpu": args.server_cpu,
        },
        "ralph": {"version": ralph.version(), "launcher": "benchmarks/ralph_launcher.py"} if ralph else None,
        "load": {
            "tool": "benchmarks/lrs.py (http.client, keep-alive, threads)",
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "cpu": args.load_cpu,
        },
        "sizes": sizes_out,
    }


def bench_ralph(
    ralph: Ralph, size: int, window_count: int, args: argparse.Namespace, counter: StatementCounter
) -> list[dict[str, Any]]:
    ralph.fill(size)
    agents, pairs = query_sample(size)
    queries = Queries(agents, pairs, ralph.window(size, window_count), window_count)
    length = ralph.file.stat().st_size
    log(f"ralph: measuring at {size:,} statements ({args.duration} s per operation)")
    with ralph.serving() as target:
        results = measure_lrs(
            target,
            queries,
            args,
            stored=size,
            counter=counter,
            rollback=lambda: ralph.truncate(length),
            operations=selected_operations(args),
        )
    return [asdict(r) for r in results]


def selected_operations(args: argparse.Namespace) -> list[Operation]:
    chosen = [
        op for op in OPERATIONS if not args.operation or any(w.lower() in op.name.lower() for w in args.operation)
    ]
    if not chosen:
        raise BenchmarkError(f"no operation matches {args.operation}")
    return chosen


# --- Reporting ------------------------------------------------------------------------------------


def find(results: list[dict[str, Any]] | None, operation: str) -> dict[str, Any] | None:
    return next((r for r in results or [] if r["operation"] == operation), None)


def cell(result: dict[str, Any] | None, kind: str) -> str:
    if result is None:
        return "-"
    if kind == "post":
        return f"{result['statements_per_s']:,.0f} st/s · p95 {result['p95_ms']:,.1f} ms"
    return f"p95 {result['p95_ms']:,.1f} ms · {result['requests_per_s']:,.1f} req/s"


def raw_cell(raw: dict[str, Any] | None, op: Operation) -> str:
    if raw is None:
        return "-"
    if op.kind == "post" and op.batch == 1:
        r = raw["insert_single"]
        return f"{r['statements_per_s']:,.0f} rows/s (1 row/commit)"
    if op.kind == "post":
        r = raw["insert_batch_1000"]
        return f"{r['statements_per_s']:,.0f} rows/s (1,000 rows/commit)"
    if op.name == "GET by agent":
        r = raw["select_agent"]
        return f"p95 {r['p95_ms']:.2f} ms · {r['requests_per_s']:,.0f} q/s"
    return ""


def best_ingest(results: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    posts = [r for r in results or [] if r["operation"].startswith("POST")]
    return max(posts, key=lambda r: r["statements_per_s"]) if posts else None


def ratio(mine: dict[str, Any] | None, theirs: dict[str, Any] | None, kind: str) -> str:
    if mine is None or theirs is None:
        return "-"
    if kind == "post":
        value = mine["statements_per_s"] / max(theirs["statements_per_s"], 1e-9)
        return f"{value:,.1f}x the throughput" if value < 10 else f"{value:,.0f}x the throughput"
    value = theirs["p95_ms"] / max(mine["p95_ms"], 1e-9)
    return f"p95 {value:,.1f}x lower" if value < 10 else f"p95 {value:,.0f}x lower"


def results_table(report: dict[str, Any]) -> str:
    lines = [
        "| Stored | Operation | learnloop | Ralph (fs) | learnloop vs Ralph | Raw DB ceiling |",
        "|--:|---|---|---|---|---|",
    ]
    for entry in report["sizes"]:
        for op in OPERATIONS:
            mine = find(entry["learnloop"], op.name)
            if mine is None:
                continue
            theirs = find(entry["ralph"], op.name)
            lines.append(
                f"| {entry['stored']:,} | {op.name} (c={op.concurrency}) | {cell(mine, op.kind)} | "
                f"{cell(theirs, op.kind) if entry['ralph'] is not None else 'not run'} | "
                f"{ratio(mine, theirs, op.kind)} | {raw_cell(entry['raw'], op)} |"
            )
    return "\n".join(lines)


def target_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    by_size = {entry["size"]: entry for entry in report["sizes"]}
    rows = []
    big = by_size.get(TARGET_INGEST_SIZE)
    ingest = best_ingest(big["learnloop"]) if big else None
    rows.append(
        {
            "target": f"≥ {TARGET_INGEST_PER_S:,} statements/s sustained at 1M stored"
            + (" (PostgreSQL)" if report["backend"] == "postgres" else " (the target is for PostgreSQL)"),
            "measured": f"{ingest['statements_per_s']:,.0f} st/s ({ingest['operation']})" if ingest else "not run",
            "passed": None if ingest is None else ingest["statements_per_s"] >= TARGET_INGEST_PER_S,
        }
    )
    agent = find(big["learnloop"], "GET by agent") if big else None
    rows.append(
        {
            "target": f"GET by agent p95 ≤ {TARGET_AGENT_P95_MS:.0f} ms at 1M stored",
            "measured": f"p95 {agent['p95_ms']:.1f} ms" if agent else "not run",
            "passed": None if agent is None else agent["p95_ms"] <= TARGET_AGENT_P95_MS,
        }
    )
    mid = by_size.get(TARGET_RALPH_SIZE)
    mine = best_ingest(mid["learnloop"]) if mid else None
    theirs = best_ingest(mid["ralph"]) if mid else None
    value = mine["statements_per_s"] / max(theirs["statements_per_s"], 1e-9) if mine and theirs else None
    rows.append(
        {
            "target": f"≥ {TARGET_VS_RALPH:.0f}x Ralph's ingest at 50k stored (best batch size of each)",
            "measured": (
                f"{value:,.1f}x ({mine['statements_per_s']:,.0f} vs {theirs['statements_per_s']:,.0f} st/s)"
                if mine and theirs and value is not None
                else "not run"
            ),
            "passed": None if value is None else value >= TARGET_VS_RALPH,
        }
    )
    # The reference (~230 statements/s for Ralph at 50k) is what Ralph does with 100 per POST.
    mine = find(mid["learnloop"], "POST 100 statements") if mid else None
    theirs = find(mid["ralph"], "POST 100 statements") if mid else None
    value = mine["statements_per_s"] / max(theirs["statements_per_s"], 1e-9) if mine and theirs else None
    rows.append(
        {
            "target": f"≥ {TARGET_VS_RALPH:.0f}x Ralph's ingest at 50k stored, both at 100 statements per POST",
            "measured": (
                f"{value:,.1f}x ({mine['statements_per_s']:,.0f} vs {theirs['statements_per_s']:,.0f} st/s)"
                if mine and theirs and value is not None
                else "not run"
            ),
            "passed": None if value is None else value >= TARGET_VS_RALPH,
        }
    )
    return rows


def verdict(passed: bool | None) -> str:
    return "not measured" if passed is None else ("pass" if passed else "**miss**")


def answer_mismatches(report: dict[str, Any]) -> list[str]:
    """Operations where Ralph's first answer held a different number of statements than learnloop's.

    Both get the same first query; a difference means one of them filters differently (Ralph 5.1's fs
    backend, for one, compares `verb`/`activity` to pydantic IRI objects and so never matches them)."""
    notes = []
    for entry in report["sizes"]:
        for mine in entry["learnloop"]:
            theirs = find(entry["ralph"], mine["operation"])
            if theirs is None or mine["first_result_count"] is None:
                continue
            if "window" in mine["operation"] or mine["concurrency"] != 1:
                continue  # different time fields (stored vs timestamp), or no fixed "first" query
            if theirs["first_result_count"] != mine["first_result_count"]:
                notes.append(
                    f"{entry['stored']:,}, {mine['operation']}: learnloop answered "
                    f"{mine['first_result_count']} statements, Ralph {theirs['first_result_count']}"
                )
    return notes


def docs_section(report: dict[str, Any]) -> str:
    machine, server, load = report["machine"], report["server"], report["load"]
    targets = "\n".join(
        f"| {row['target']} | {row['measured']} | {verdict(row['passed'])} |" for row in report["targets"]
    )
    loads = ", ".join(f"{entry['stored']:,}: {entry['load_average'][0]:.2f}" for entry in report["sizes"])
    windows = ", ".join(f"{entry['stored']:,}: {entry['window_statements']:,}" for entry in report["sizes"])
    ralph = report.get("ralph") or {}
    return "\n".join(
        [
            f"#### LRS on {report['backend']}: measured {report['finished_at']} on commit `{machine['commit']}`",
            "",
            results_table(report),
            "",
            "| Target | Measured | Result |",
            "|---|---|---|",
            targets,
            "",
            f"- learnloop: `learnloop serve --workers {server['workers']} --threads {server['threads']}`, "
            f"{server['settings']}, pinned to CPU {server['cpu']}; {machine['database']}"
            + (" (the database server itself is not pinned)." if report["backend"] == "postgres" else "."),
            f"- Ralph: ralph-malph {ralph.get('version', '-')} with its fs backend, one uvicorn process pinned "
            f"to CPU {server['cpu']}, started by `{ralph.get('launcher', '-')}` (append mode).",
            f"- Client: {load['tool']}, pinned to CPU {load['cpu']}; {load['warmup_s']} s warm-up, then "
            f"{load['duration_s']} s per operation (c = concurrent connections); "
            "POSTs rolled back after each operation.",
            f"- Window statements per size (learnloop's `stored` window; Ralph's `timestamp` window of the same "
            f"size): {windows}.",
            f"- Machine: {machine['cpus']} CPUs, {machine['cpu_model']}; Python {machine['python']}, Django "
            f"{machine['django']}; 1-minute load average after each size: {loads}.",
            *(
                [
                    "- Same first query, different number of statements answered (so that row compares "
                    "unequal work): " + "; ".join(mismatches) + "."
                ]
                if (mismatches := answer_mismatches(report))
                else []
            ),
        ]
    )


def update_docs(report: dict[str, Any]) -> None:
    write_generated_block(f"lrs-{report['backend']}", docs_section(report))


def save(report: dict[str, Any]) -> Path:
    return save_report(f"lrs-{report['backend']}", report)


# --- Entry point ----------------------------------------------------------------------------------


def parse_sizes(text: str) -> list[int]:
    sizes = sorted({int(part.replace("_", "").replace(",", "")) for part in text.split(",") if part.strip()})
    if not sizes or sizes[0] < 1000:
        raise argparse.ArgumentTypeError("sizes are statement counts of at least 1000, e.g. 10000,50000")
    return sizes


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--sizes", type=parse_sizes, default=[10_000, 50_000], help="Stored sizes, e.g. 10000,50000")
    parser.add_argument("--sqlite-path", type=Path, default=DEFAULT_SQLITE_PATH)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--duration", type=float, default=8, help="Seconds measured per operation")
    parser.add_argument("--warmup", type=float, default=2, help="Seconds of warm-up per operation")
    parser.add_argument("--max-pages", type=int, default=10, help="Pages followed per query when paging")
    parser.add_argument("--min-post-statements", type=int, default=20_000, help="POST cap floor per operation")
    parser.add_argument("--fill-jobs", type=int, default=2, help="Parallel fill processes (PostgreSQL only)")
    parser.add_argument("--no-ralph", action="store_true", help="Skip Ralph")
    parser.add_argument("--ralph-venv", type=Path, default=DEFAULT_RALPH_VENV)
    parser.add_argument("--ralph-max-size", type=int, default=50_000, help="Largest size Ralph is measured at")
    parser.add_argument("--raw-rows", type=int, default=20_000, help="Rows for the raw batch-INSERT ceiling")
    parser.add_argument("--raw-singles", type=int, default=2_000, help="Rows for the raw one-row-INSERT ceiling")
    parser.add_argument("--raw-selects", type=int, default=2_000, help="SELECTs for the raw query ceiling")
    parser.add_argument("--operation", action="append", default=[], help="Only operations whose name has this")
    parser.add_argument("--no-docs", action="store_true", help="Do not rewrite docs/benchmarks.md")
    parser.add_argument(
        "--render", type=Path, action="append", default=[], help="Only rewrite the docs from this results JSON"
    )
    parser.add_argument("--server-cpu", type=int, default=0)
    parser.add_argument("--load-cpu", type=int, default=1)
    return parser.parse_args(argv)


def internal_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    fill = sub.add_parser("_fill")
    fill.add_argument("--start", type=int, required=True)
    fill.add_argument("--stop", type=int, required=True)
    fill.add_argument("--client", required=True)
    fill.add_argument("--batch", type=int, default=1000)
    sub.add_parser("_probe")
    sub.add_parser("_analyze")
    sub.add_parser("_explain")
    rollback = sub.add_parser("_rollback")
    rollback.add_argument("--after-seq", type=int, required=True)
    raw = sub.add_parser("_raw")
    raw.add_argument("--first-index", type=int, required=True)
    raw.add_argument("--rows", type=int, default=20_000)
    raw.add_argument("--singles", type=int, default=2_000)
    raw.add_argument("--selects", type=int, default=2_000)
    raw.add_argument("--max-seconds", type=float, default=300)
    args = parser.parse_args(argv)
    handlers = {
        "_fill": internal_fill,
        "_probe": internal_probe,
        "_analyze": internal_analyze,
        "_explain": internal_explain,
        "_rollback": internal_rollback,
        "_raw": internal_raw,
    }
    return handlers[args.command](args)


def _exit_on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def main(argv: Sequence[str]) -> int:
    if argv and argv[0].startswith("_"):
        return internal_main(argv)
    args = parse_args(argv)
    if args.render:
        for path in args.render:
            report = json.loads(path.read_text())
            report["targets"] = target_rows(report)
            update_docs(report)
            log(f"rendered {path} into {DOCS_PAGE.relative_to(PROJECT_DIR)}")
        return 0
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    cpus = len(os.sched_getaffinity(0))
    if shutil.which("taskset") is None or cpus < 2:
        log(f"warning: cannot pin server and client to separate cores ({cpus} CPU(s)); running unpinned")
        args.server_cpu = args.load_cpu = None
    load_1m = os.getloadavg()[0]
    if load_1m > 0.5:
        log(f"warning: load average is {load_1m:.2f} before the run; other processes will skew the numbers")
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    ralph_cache: dict[int, Any] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="learnloop-bench-lrs-") as work:
            work_dir = Path(work)
            ralph = None
            if not args.no_ralph:
                ralph = Ralph(args, work_dir)
                ralph.prepare()
            for backend in backends:
                report = bench_backend(backend, args, work_dir, ralph, ralph_cache)
                report["targets"] = target_rows(report)
                path = save(report)
                print(f"\nLRS on {backend}:\n\n{results_table(report)}\n", flush=True)
                for row in report["targets"]:
                    print(f"  {row['target']}: {row['measured']} -> {verdict(row['passed'])}", flush=True)
                log(f"wrote {path.relative_to(PROJECT_DIR)}")
                if not args.no_docs and not args.operation:
                    update_docs(report)
                    log(f"updated {DOCS_PAGE.relative_to(PROJECT_DIR)}")
    except BenchmarkError as exc:
        print(f"\nbenchmark failed: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nbenchmark interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
