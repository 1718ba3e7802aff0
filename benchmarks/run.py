"""`make bench`: seed a 10,000-person organization and measure the API and pages under load.

The server (gunicorn under production settings) is pinned to one core and wrk to another, both on
loopback. Every endpoint gets a warm-up run, then a measured run; a run that saw any non-2xx answer
or socket error fails loudly, because a benchmark of 401s or redirects is worthless. Results go to
`benchmarks/results/<backend>-<timestamp>.json` (and `latest-<backend>.json`) and into a generated
section of `docs/benchmarks.md`. See that page for how to read and reproduce the numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import math
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from http.cookies import SimpleCookie
from importlib.metadata import version
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
DOCS_PAGE = PROJECT_DIR / "docs" / "benchmarks.md"
WRK_SCRIPT = BENCH_DIR / "report.lua"

DEFAULT_SQLITE_PATH = PROJECT_DIR / "var" / "bench.sqlite3"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/learnloop_bench"
EMPLOYEE = "maya.okafor@fernhill.example"
MANAGER = "jonas.weber@fernhill.example"
DEMO_PASSWORD = "learnloop-demo"  # the published password of every demo account

SEED_TIMEOUT_S = 30 * 60
COMMAND_TIMEOUT_S = 5 * 60
SERVER_START_TIMEOUT_S = 60
HTTP_TIMEOUT_S = 10


class BenchmarkError(RuntimeError):
    """The benchmark cannot produce a trustworthy number; the message says why."""


@dataclass(frozen=True)
class Target:
    requests_per_s: float
    p99_ms: float


API_TARGET = Target(requests_per_s=1000, p99_ms=50)
PAGE_TARGET = Target(requests_per_s=500, p99_ms=100)


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    auth: str  # "none", "token" or "session"
    target: Target | None


@dataclass
class Measurement:
    endpoint: str
    path: str
    requests: int
    duration_s: float
    requests_per_s: float
    p50_ms: float
    p75_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    bytes: int
    server_cpu_ms_per_request: float
    server_cpu_busy: float  # share of one core the server used; well under 1.0 under load = stolen cycles
    target: dict[str, float] | None
    passed: bool | None
    errors: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ServerConfig:
    workers: int
    threads: int

    @property
    def worker_class(self) -> str:
        return "gthread" if self.threads > 1 else "sync"

    def __str__(self) -> str:
        return f"{self.workers} {self.worker_class} worker(s) x {self.threads} thread(s)"


@dataclass(frozen=True)
class LoadConfig:
    connections: int
    duration_s: int
    warmup_s: int
    server_cpu: int | None
    load_cpu: int | None


# --- Small helpers --------------------------------------------------------------------------------


def log(text: str) -> None:
    print(f"[bench] {text}", flush=True)


def pinned(command: Sequence[str], cpu: int | None) -> list[str]:
    return ["taskset", "-c", str(cpu), *command] if cpu is not None else list(command)


def learnloop_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "learnloop", *args]


def run_command(command: Sequence[str], *, env: dict[str, str], timeout: float, capture: bool = True) -> str:
    """Run a command to completion; its output streams to the terminal unless captured."""
    try:
        completed = subprocess.run(
            command,
            env=env,
            cwd=PROJECT_DIR,
            timeout=timeout,
            check=False,
            text=True,
            stdout=subprocess.PIPE if capture else None,
            stderr=subprocess.PIPE if capture else None,
        )
    except subprocess.TimeoutExpired:
        raise BenchmarkError(f"`{' '.join(command)}` did not finish within {timeout:.0f} s") from None
    if completed.returncode != 0:
        details = (completed.stderr or "") + (completed.stdout or "") if capture else ""
        raise BenchmarkError(f"`{' '.join(command)}` failed ({completed.returncode}):\n{details[-3000:]}")
    return completed.stdout or ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- Databases ------------------------------------------------------------------------------------


def backend_env(backend: str, args: argparse.Namespace) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "SQLITE_PATH"}}
    if backend == "postgres":
        env["DATABASE_URL"] = args.database_url
    else:
        env["SQLITE_PATH"] = str(args.sqlite_path)
    return env


def ensure_postgres_database(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    command = ["createdb", "-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432)]
    if parts.username:
        command += ["-U", urllib.parse.unquote(parts.username)]
    env = dict(os.environ)
    if parts.password:
        env["PGPASSWORD"] = urllib.parse.unquote(parts.password)
    completed = subprocess.run([*command, name], env=env, capture_output=True, text=True, timeout=60, check=False)
    if completed.returncode == 0:
        log(f"created PostgreSQL database {name}")
    elif "already exists" not in completed.stderr:
        raise BenchmarkError(f"cannot create PostgreSQL database {name}: {completed.stderr.strip()}")


def seed(env: dict[str, str], *, people: int, items: int, enrollments: int) -> None:
    log("migrating the benchmark database")
    run_command(learnloop_command("migrate", "--noinput"), env=env, timeout=COMMAND_TIMEOUT_S)
    log(f"seeding the demo organization with {people:,} people (idempotent; the first run takes longest)")
    started = time.monotonic()
    run_command(learnloop_command("demo", "--people", str(people)), env=env, timeout=SEED_TIMEOUT_S, capture=False)
    log(f"seeded in {time.monotonic() - started:.0f} s")
    if items or enrollments:
        log(f"growing to {items:,} catalog items and {enrollments:,} enrolments (idempotent)")
        started = time.monotonic()
        run_command(
            [
                sys.executable,
                str(BENCH_DIR / "growth_fill.py"),
                "--items",
                str(items),
                "--enrollments",
                str(enrollments),
            ],
            env=env,
            timeout=SEED_TIMEOUT_S,
            capture=False,
        )
        log(f"grown in {time.monotonic() - started:.0f} s")


def create_token(env: dict[str, str]) -> tuple[str, int]:
    output = run_command(
        learnloop_command("token", "create", EMPLOYEE, "--name", "benchmark", "--json"),
        env=env,
        timeout=COMMAND_TIMEOUT_S,
    )
    issued = json.loads(output.strip().splitlines()[-1])
    return str(issued["token"]), int(issued["id"])


def revoke_token(env: dict[str, str], token_id: int) -> None:
    with contextlib.suppress(BenchmarkError):
        run_command(learnloop_command("token", "revoke", str(token_id)), env=env, timeout=COMMAND_TIMEOUT_S)


# --- The server -----------------------------------------------------------------------------------


def production_env(env: dict[str, str], *, static_root: Path) -> dict[str, str]:
    return {
        **env,
        "LEARNLOOP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DEBUG": "false",
        "STATIC_ROOT": str(static_root),
        "LOG_LEVEL": "WARNING",
    }


@dataclass(frozen=True)
class Server:
    base_url: str
    process_group: int

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by every process of the server (master and workers).

        Counting CPU time next to wall time keeps the result honest on a shared machine: when other
        work steals cycles from the server's core, req/s drops but CPU time per request does not."""
        ticks = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                # Fields after the command name, which may itself contain spaces and parentheses.
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) == self.process_group:
                    ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def running_server(env: dict[str, str], config: ServerConfig, *, cpu: int | None, log_dir: Path) -> Iterator[Server]:
    """A gunicorn started in its own process group, stopped (group and all) whatever happens."""
    port = free_port()
    serve = ["serve", "--host", "127.0.0.1", "--port", str(port)]
    serve += ["--workers", str(config.workers), "--threads", str(config.threads)]
    command = pinned(learnloop_command(*serve), cpu)
    log_path = log_dir / f"server-{port}.log"
    with log_path.open("w") as server_log:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=PROJECT_DIR,
            stdout=server_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base_url, process, log_path)
        yield Server(base_url=base_url, process_group=process.pid)
    finally:
        stop_process_group(process)


def wait_until_healthy(base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchmarkError(f"the server exited early:\n{log_path.read_text()[-3000:]}")
        with contextlib.suppress(OSError):
            if http_get(base_url, "/healthz").status == 200:
                return
        time.sleep(0.2)
    raise BenchmarkError(f"the server did not answer /healthz within {SERVER_START_TIMEOUT_S} s")


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


# --- HTTP on the side: sign in, find ids, check an endpoint answers 200 ----------------------------


@dataclass
class HttpAnswer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def cookies(self) -> dict[str, str]:
        jar: SimpleCookie = SimpleCookie()
        for header in self.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        return {name: morsel.value for name, morsel in jar.items()}


def http_request(
    base_url: str, method: str, path: str, *, headers: dict[str, str] | None = None, body: str | None = None
) -> HttpAnswer:
    parts = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=HTTP_TIMEOUT_S)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return HttpAnswer(status=response.status, headers=response.headers, body=response.read())
    finally:
        connection.close()


def http_get(base_url: str, path: str, headers: dict[str, str] | None = None) -> HttpAnswer:
    return http_request(base_url, "GET", path, headers=headers)


def sign_in(base_url: str, *, username: str, password: str) -> str:
    """The Cookie header of a fresh browser session (`sessionid` and the CSRF cookie a browser keeps),
    through the real login form and its CSRF check.

    Production sets Secure cookies; over plain http a browser would drop them, but the Set-Cookie
    headers are still sent, so they are read from the headers directly."""
    page = http_get(base_url, "/accounts/login/")
    csrf_cookie = page.cookies().get("csrftoken")
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    if page.status != 200 or not csrf_cookie or not match:
        raise BenchmarkError(f"the login page did not offer a CSRF token (status {page.status})")
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": match.group(1).decode(), "username": username, "password": password}
    )
    answer = http_request(
        base_url,
        "POST",
        "/accounts/login/",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf_cookie}",
            "Referer": f"{base_url}/accounts/login/",
        },
        body=form,
    )
    cookies = answer.cookies()
    session = cookies.get("sessionid")
    if answer.status != 302 or not session:
        raise BenchmarkError(f"signing in as {username} failed (status {answer.status}, no session cookie)")
    # Signing in rotates the CSRF cookie; a browser sends the new one with every later request.
    return f"sessionid={session}; csrftoken={cookies.get('csrftoken', csrf_cookie)}"


def check_ok(base_url: str, path: str, headers: dict[str, str]) -> None:
    answer = http_get(base_url, path, headers)
    if answer.status != 200:
        raise BenchmarkError(
            f"GET {path} answered {answer.status}, not 200; refusing to benchmark it:\n{answer.body[:500]!r}"
        )


# --- wrk ------------------------------------------------------------------------------------------


def run_wrk(url: str, headers: dict[str, str], *, duration_s: int, load: LoadConfig) -> dict[str, Any]:
    command = ["wrk", "--threads", "1", "--connections", str(load.connections), "--timeout", "5s"]
    command += ["--duration", f"{duration_s}s", "--script", str(WRK_SCRIPT)]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    output = run_command(pinned([*command, url], load.load_cpu), env=dict(os.environ), timeout=duration_s + 60)
    for line in output.splitlines():
        if line.startswith("WRK_JSON "):
            return dict(json.loads(line.removeprefix("WRK_JSON ")))
    raise BenchmarkError(f"wrk printed no summary:\n{output[-2000:]}")


def measure(
    server: Server, endpoint: Endpoint, headers: dict[str, str], load: LoadConfig, *, duration_s: int
) -> Measurement:
    url = server.base_url + endpoint.path
    check_ok(server.base_url, endpoint.path, headers)
    if load.warmup_s:
        run_wrk(url, headers, duration_s=load.warmup_s, load=load)
    cpu_before = server.cpu_seconds()
    raw = run_wrk(url, headers, duration_s=duration_s, load=load)
    cpu_used = server.cpu_seconds() - cpu_before
    socket_errors = {name: int(count) for name, count in raw["errors"].items() if name != "status"}
    if raw["non2xx"] or raw["errors"]["status"]:
        raise BenchmarkError(
            f"{endpoint.name}: {raw['non2xx']} of {raw['requests']} responses were not 2xx "
            f"(first: {raw['first_bad_status']}); the numbers would be meaningless"
        )
    if any(socket_errors.values()):
        raise BenchmarkError(f"{endpoint.name}: socket errors during the run: {socket_errors}")
    target = endpoint.target
    passed = (
        None if target is None else raw["requests_per_s"] >= target.requests_per_s and raw["p99_ms"] <= target.p99_ms
    )
    return Measurement(
        endpoint=endpoint.name,
        path=endpoint.path,
        requests=int(raw["requests"]),
        duration_s=float(raw["duration_s"]),
        requests_per_s=float(raw["requests_per_s"]),
        p50_ms=float(raw["p50_ms"]),
        p75_ms=float(raw["p75_ms"]),
        p90_ms=float(raw["p90_ms"]),
        p95_ms=float(raw["p95_ms"]),
        p99_ms=float(raw["p99_ms"]),
        max_ms=float(raw["max_ms"]),
        mean_ms=float(raw["mean_ms"]),
        bytes=int(raw["bytes"]),
        server_cpu_ms_per_request=1000 * cpu_used / max(int(raw["requests"]), 1),
        server_cpu_busy=cpu_used / max(float(raw["duration_s"]), 0.001),
        target=asdict(target) if target else None,
        passed=passed,
        errors=socket_errors,
    )


# --- One backend, end to end ----------------------------------------------------------------------


@dataclass
class Session:
    server: Server
    token: str
    # Cookie headers of signed-in browser sessions: "session" (the employee) and "manager".
    cookies: dict[str, str]
    endpoints: list[Endpoint]

    def headers(self, endpoint: Endpoint) -> dict[str, str]:
        if endpoint.auth == "token":
            return {"Authorization": f"Bearer {self.token}"}
        if endpoint.auth in self.cookies:
            return {"Cookie": self.cookies[endpoint.auth]}
        return {}


def prepare_session(server: Server, token: str, *, selected: Sequence[str]) -> Session:
    base_url = server.base_url
    me = http_get(base_url, "/api/v1/me", {"Authorization": f"Bearer {token}"})
    if me.status != 200:
        raise BenchmarkError(f"/api/v1/me answered {me.status} with the benchmark token")
    profile = json.loads(me.body)
    # Someone else's profile: the usual case, and it runs the privacy check a self-view skips.
    detail_id = profile["manager"]["id"] if profile.get("manager") else profile["id"]
    endpoints = [
        Endpoint("healthz (baseline)", "/healthz", "none", None),
        Endpoint("people list API", "/api/v1/people?limit=50", "token", API_TARGET),
        Endpoint("person detail API", f"/api/v1/people/{detail_id}", "token", API_TARGET),
        Endpoint("home page (HTML)", "/", "session", PAGE_TARGET),
        # Growth core, at 50,000 catalog items and 2 million enrolments (benchmarks/growth_fill.py).
        Endpoint("catalog search API", "/api/v1/catalog?q=facilitation&limit=20", "token", API_TARGET),
        Endpoint("catalog search page (HTML)", "/catalog/?q=facilitation", "session", PAGE_TARGET),
        Endpoint("team skills matrix (HTML)", "/skills/team/", "manager", PAGE_TARGET),
    ]
    chosen = [e for e in endpoints if not selected or any(word in e.name for word in selected)]
    if not chosen:
        raise BenchmarkError(f"no endpoint matches {list(selected)}")
    cookies = {
        "session": sign_in(base_url, username=EMPLOYEE, password=DEMO_PASSWORD),
        "manager": sign_in(base_url, username=MANAGER, password=DEMO_PASSWORD),
    }
    return Session(server=server, token=token, cookies=cookies, endpoints=chosen)


def measure_all(session: Session, load: LoadConfig, *, duration_s: int) -> list[Measurement]:
    results = []
    for endpoint in session.endpoints:
        log(f"measuring {endpoint.name} ({endpoint.path}) for {duration_s} s after {load.warmup_s} s warm-up")
        result = measure(session.server, endpoint, session.headers(endpoint), load, duration_s=duration_s)
        log(
            f"  {result.requests_per_s:,.0f} req/s, p50 {result.p50_ms:.1f} ms, "
            f"p95 {result.p95_ms:.1f} ms, p99 {result.p99_ms:.1f} ms; server CPU "
            f"{result.server_cpu_ms_per_request:.2f} ms/request, {result.server_cpu_busy:.0%} of a core busy"
        )
        results.append(result)
    return results


def sweep_score(results: Sequence[Measurement]) -> float:
    """Geometric mean of (req/s / target) and (target p99 / p99) over the targeted endpoints.

    1.0 means every target is met exactly; the mean rather than the worst ratio, so a layout that
    helps every endpoint beats one that helps only the slowest."""
    ratios = []
    for result in results:
        if result.target is None:
            continue
        ratios.append(result.requests_per_s / result.target["requests_per_s"])
        ratios.append(result.target["p99_ms"] / max(result.p99_ms, 0.001))
    return math.prod(ratios) ** (1 / len(ratios)) if ratios else 0.0


def bench_backend(backend: str, args: argparse.Namespace, load: LoadConfig, work_dir: Path) -> dict[str, Any]:
    env = backend_env(backend, args)
    if backend == "postgres":
        ensure_postgres_database(args.database_url)
    if not args.skip_seed:
        seed(env, people=args.people, items=args.items, enrollments=args.enrollments)
    people_count = count_people(env)
    token, token_id = create_token(env)
    static_root = work_dir / "static"
    server_env = production_env(env, static_root=static_root)
    try:
        log("collecting static files for production settings")
        run_command(learnloop_command("collectstatic", "--noinput"), env=server_env, timeout=COMMAND_TIMEOUT_S)
        sweep: list[dict[str, Any]] = []
        config = ServerConfig(workers=args.workers, threads=args.threads)
        if args.sweep:
            config, sweep = run_sweep(server_env, token, args, load, work_dir)
        log(f"{backend}: serving with {config}, pinned to CPU {load.server_cpu}")
        with running_server(server_env, config, cpu=load.server_cpu, log_dir=work_dir) as server:
            session = prepare_session(server, token, selected=args.endpoint)
            results = measure_all(session, load, duration_s=load.duration_s)
    finally:
        revoke_token(env, token_id)
    return {
        "backend": backend,
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "people": people_count,
        "machine": machine_info(backend, env),
        "server": {
            "workers": config.workers,
            "threads": config.threads,
            "worker_class": config.worker_class,
            "settings": "LEARNLOOP_ENV=production, DEBUG=false",
            "cpu": load.server_cpu,
        },
        "load": {
            "tool": "wrk",
            "threads": 1,
            "connections": load.connections,
            "duration_s": load.duration_s,
            "warmup_s": load.warmup_s,
            "cpu": load.load_cpu,
        },
        "results": [asdict(r) for r in results],
        "sweep": sweep,
    }


SWEEP_CONFIGS = (
    ServerConfig(1, 1),
    ServerConfig(2, 1),
    ServerConfig(3, 1),
    ServerConfig(4, 1),
    ServerConfig(1, 4),
    ServerConfig(2, 4),
)


def run_sweep(
    env: dict[str, str], token: str, args: argparse.Namespace, load: LoadConfig, work_dir: Path
) -> tuple[ServerConfig, list[dict[str, Any]]]:
    """Short runs of every endpoint for each server layout; the one nearest all targets wins."""
    rows: list[dict[str, Any]] = []
    best: tuple[float, ServerConfig] | None = None
    for config in SWEEP_CONFIGS:
        log(f"sweep: {config}")
        with running_server(env, config, cpu=load.server_cpu, log_dir=work_dir) as server:
            session = prepare_session(server, token, selected=args.endpoint)
            results = measure_all(session, load, duration_s=args.sweep_duration)
        score = sweep_score(results)
        rows.append(
            {
                "workers": config.workers,
                "threads": config.threads,
                "worker_class": config.worker_class,
                "score": round(score, 3),
                "results": [asdict(r) for r in results],
            }
        )
        if best is None or score > best[0]:
            best = (score, config)
    assert best is not None
    log(f"sweep: best layout is {best[1]} (score {best[0]:.2f}; 1.0 means the targets are met on average)")
    return best[1], rows


def count_people(env: dict[str, str]) -> int:
    output = run_command(
        learnloop_command(
            "shell",
            "--command",
            "from learnloop.people.models import Person; print(Person.objects.filter(is_active=True).count())",
        ),
        env=env,
        timeout=COMMAND_TIMEOUT_S,
    )
    return int(output.strip().splitlines()[-1])


# --- Reporting ------------------------------------------------------------------------------------


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def machine_info(backend: str, env: dict[str, str]) -> dict[str, str]:
    info = {
        "cpus": str(os.cpu_count()),
        "cpu_model": cpu_model(),
        "kernel": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "django": version("django"),
        "gunicorn": version("gunicorn"),
        "wrk": subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
        .stdout.split("\n")[0]
        .split(" Copyright")[0],
        "commit": git_commit(),
        "load_average_1m": f"{os.getloadavg()[0]:.2f}",
    }
    if backend == "postgres":
        info["database"] = (
            "PostgreSQL "
            + run_command(
                learnloop_command(
                    "shell",
                    "--command",
                    "from django.db import connection; c = connection.cursor(); "
                    "c.execute('show server_version'); print(c.fetchone()[0])",
                ),
                env=env,
                timeout=COMMAND_TIMEOUT_S,
            )
            .strip()
            .splitlines()[-1]
            .split()[0]
        )
    else:
        info["database"] = f"SQLite {sqlite3.sqlite_version} (WAL)"
    return info


def git_commit() -> str:
    completed = subprocess.run(
        ["git", "describe", "--always", "--dirty"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    return completed.stdout.strip() or "unknown"


def verdict(result: dict[str, Any]) -> str:
    if result["passed"] is None:
        return "baseline"
    return "pass" if result["passed"] else "**miss**"


def markdown_table(report: dict[str, Any]) -> str:
    lines = [
        "| Endpoint | Path | req/s | p50 ms | p95 ms | p99 ms | Server CPU ms/req | Core busy | Target | Result |",
        "|---|---|--:|--:|--:|--:|--:|--:|---|---|",
    ]
    for r in report["results"]:
        target = r["target"]
        goal = f"≥ {target['requests_per_s']:,.0f} req/s, p99 ≤ {target['p99_ms']:.0f} ms" if target else "-"
        lines.append(
            f"| {r['endpoint']} | `{r['path']}` | {r['requests_per_s']:,.0f} | {r['p50_ms']:.1f} | "
            f"{r['p95_ms']:.1f} | {r['p99_ms']:.1f} | {r['server_cpu_ms_per_request']:.2f} | "
            f"{r['server_cpu_busy']:.0%} | {goal} | {verdict(r)} |"
        )
    return "\n".join(lines)


def sweep_table(report: dict[str, Any]) -> str:
    if not report["sweep"]:
        return ""
    names = [r["endpoint"] for r in report["sweep"][0]["results"]]
    lines = [
        "| Server layout | " + " | ".join(f"{name} req/s (p99 ms)" for name in names) + " | Score |",
        "|---|" + "--:|" * len(names) + "--:|",
    ]
    for row in report["sweep"]:
        cells = [f"{r['requests_per_s']:,.0f} ({r['p99_ms']:.0f})" for r in row["results"]]
        layout = f"{row['workers']} {row['worker_class']} x {row['threads']} thread(s)"
        lines.append(f"| {layout} | " + " | ".join(cells) + f" | {row['score']:.2f} |")
    return "\n".join(lines)


def docs_section(report: dict[str, Any]) -> str:
    machine, server, load = report["machine"], report["server"], report["load"]
    parts = [
        f"### {report['backend']}: measured {report['finished_at']} on commit `{machine['commit']}`",
        "",
        markdown_table(report),
        "",
        f"- Data: {report['people']:,} active people (`learnloop demo --people N`), {machine['database']}.",
        f"- Server: `learnloop serve --workers {server['workers']} --threads {server['threads']}` "
        f"({server['worker_class']}), {server['settings']}, pinned to CPU {server['cpu']}.",
        f"- Load: {machine['wrk']}, 1 thread, {load['connections']} connections, "
        f"{load['warmup_s']} s warm-up then {load['duration_s']} s per endpoint, "
        f"pinned to CPU {load['cpu']}.",
        f"- Machine: {machine['cpus']} CPUs, {machine['cpu_model']}; {machine['kernel']}; "
        f"Python {machine['python']}, Django {machine['django']}, gunicorn {machine['gunicorn']}; "
        f"1-minute load average {machine['load_average_1m']} when the run ended.",
    ]
    sweep = sweep_table(report)
    if sweep:
        parts += ["", "Server layouts tried (short runs; the best score was used above):", "", sweep]
    return "\n".join(parts)


def write_generated_block(name: str, body: str) -> None:
    """Replace the generated block `name` in docs/benchmarks.md with `body`, leaving the prose alone."""
    begin = f"<!-- BEGIN generated results: {name} -->"
    end = f"<!-- END generated results: {name} -->"
    block = f"{begin}\n{body}\n{end}"
    text = DOCS_PAGE.read_text() if DOCS_PAGE.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
    if not pattern.search(text):
        text = text.rstrip("\n") + "\n\n" + begin + end + "\n"
    DOCS_PAGE.parent.mkdir(parents=True, exist_ok=True)
    DOCS_PAGE.write_text(pattern.sub(lambda _: block, text))


def save_report(name: str, report: dict[str, Any]) -> Path:
    """Write `report` to benchmarks/results/NAME-<time>.json and latest-NAME.json."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"{name}-{stamp}.json"
    text = json.dumps(report, indent=2) + "\n"
    path.write_text(text)
    (RESULTS_DIR / f"latest-{name}.json").write_text(text)
    return path


def update_docs(report: dict[str, Any]) -> None:
    write_generated_block(report["backend"], docs_section(report))


def save(report: dict[str, Any]) -> Path:
    return save_report(report["backend"], report)


# --- Entry point ----------------------------------------------------------------------------------


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--sqlite-path", type=Path, default=DEFAULT_SQLITE_PATH)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="PostgreSQL for --backend postgres")
    parser.add_argument("--people", type=int, default=10_000, help="Size of the seeded organization")
    parser.add_argument("--items", type=int, default=50_000, help="Catalog items to grow to (0: the demo's only)")
    parser.add_argument("--enrollments", type=int, default=2_000_000, help="Enrolments to grow to (0: the demo's)")
    parser.add_argument("--skip-seed", action="store_true", help="Measure the database as it is")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument(
        "--threads", type=int, default=4, help="Threads per worker (1 = sync workers; default: best of the sweeps)"
    )
    parser.add_argument("--connections", type=int, default=16, help="Concurrent wrk connections")
    parser.add_argument("--duration", type=int, default=15, help="Seconds measured per endpoint")
    parser.add_argument("--warmup", type=int, default=5, help="Seconds of warm-up per endpoint")
    parser.add_argument("--sweep", action="store_true", help="Try several server layouts, use the best")
    parser.add_argument("--sweep-duration", type=int, default=6, help="Seconds per endpoint in the sweep")
    parser.add_argument("--endpoint", action="append", default=[], help="Only endpoints whose name has this")
    parser.add_argument("--no-docs", action="store_true", help="Do not rewrite docs/benchmarks.md")
    parser.add_argument("--fail-on-miss", action="store_true", help="Exit 1 when a target is missed")
    parser.add_argument("--server-cpu", type=int, default=0)
    parser.add_argument("--load-cpu", type=int, default=1)
    return parser.parse_args(argv)


def warn_if_busy() -> None:
    """Other work on the machine steals cycles from the pinned cores and shows up as lower req/s."""
    load_1m = os.getloadavg()[0]
    if load_1m > 0.5:
        log(f"warning: load average is {load_1m:.2f} before the run; other processes will skew the numbers")


def check_tools(load: LoadConfig) -> LoadConfig:
    if shutil.which("wrk") is None:
        raise BenchmarkError("wrk is not installed (Debian/Ubuntu: apt-get install wrk)")
    cpus = len(os.sched_getaffinity(0))
    if shutil.which("taskset") is None or cpus < 2:
        log(f"warning: cannot pin server and load to separate cores ({cpus} CPU(s)); running unpinned")
        return LoadConfig(load.connections, load.duration_s, load.warmup_s, None, None)
    return load


def _exit_on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    load = LoadConfig(
        connections=args.connections,
        duration_s=args.duration,
        warmup_s=args.warmup,
        server_cpu=args.server_cpu,
        load_cpu=args.load_cpu,
    )
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    all_met = True
    try:
        load = check_tools(load)
        warn_if_busy()
        for backend in backends:
            with tempfile.TemporaryDirectory(prefix=f"learnloop-bench-{backend}-") as work_dir:
                report = bench_backend(backend, args, load, Path(work_dir))
            path = save(report)
            print(f"\n{backend} ({report['people']:,} people):\n\n{markdown_table(report)}\n", flush=True)
            log(f"wrote {path.relative_to(PROJECT_DIR)}")
            if not args.no_docs and not args.endpoint:
                update_docs(report)
                log(f"updated {DOCS_PAGE.relative_to(PROJECT_DIR)}")
            all_met = all_met and all(r["passed"] is not False for r in report["results"])
    except BenchmarkError as exc:
        print(f"\nbenchmark failed: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nbenchmark interrupted", file=sys.stderr)
        return 130
    if not all_met:
        log("some targets were missed (see the Result column)")
        return 1 if args.fail_on_miss else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
