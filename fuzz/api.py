"""`make fuzz`: drive the running app through its OpenAPI document as four roles and fail on any 500.

Seeds a small demo company in a fresh database (SQLite in a temporary folder, or the PostgreSQL database
named by --database-url, dropped and made again), makes an API token for an employee, a manager and an
org admin, serves learnloop with production settings on a free loopback port, and runs schemathesis
(every phase: examples, coverage, fuzzing, stateful) once per role and once without a token. The only
check is `not_a_server_error`: bad input must be a 4xx that names the field, never a 500. Tracebacks the
server logged are printed at the end, so a failure says where it broke.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
ROLES = {
    "anonymous": None,
    "employee": "maya.okafor@fernhill.example",
    "manager": "jonas.weber@fernhill.example",
    "org admin": "ingrid.halvorsen@fernhill.example",
}
PHASES = "examples,coverage,fuzzing,stateful"
# Django's log line for a 500 ("... ERROR django.request Internal Server Error: ..."), a traceback, and
# gunicorn's own errors ("[ERROR]").
SERVER_ERROR = re.compile(r"^\S+ \S+ ERROR |^Traceback \(most recent call last\)|\[ERROR\]")


def log(text: str) -> None:
    print(f"[fuzz] {text}", flush=True)


def learnloop(*args: str, env: dict[str, str], timeout: int = 600) -> str:
    command = [sys.executable, "-m", "learnloop", *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise SystemExit(f"`learnloop {' '.join(args)}` failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def fresh_postgres(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    base = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432)]
    if parts.username:
        base += ["-U", urllib.parse.unquote(parts.username)]
    env = dict(os.environ)
    if parts.password:
        env["PGPASSWORD"] = urllib.parse.unquote(parts.password)
    subprocess.run(["dropdb", "--if-exists", *base, name], env=env, check=True, timeout=60)
    subprocess.run(["createdb", *base, name], env=env, check=True, timeout=60)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serving(env: dict[str, str], port: int, log_path: Path) -> Iterator[str]:
    base = f"http://127.0.0.1:{port}"
    with log_path.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "learnloop", "serve", "--port", str(port), "--workers", "1", "--threads", "4"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                        if answer.status == 200:
                            break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit(f"the server did not start:\n{log_path.read_text()}") from None
                    time.sleep(0.5)
            yield base
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", ""), help="PostgreSQL (default: SQLite)"
    )
    parser.add_argument("--max-examples", type=int, default=20, help="Examples per operation and phase")
    parser.add_argument("--max-time", type=int, default=150, help="Seconds per role at most")
    parser.add_argument("--phases", default=PHASES)
    parser.add_argument("--seed", type=int, default=20261206, help="The same seed generates the same requests")
    args = parser.parse_args()
    schemathesis = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or shutil.which("schemathesis")
    if not schemathesis:
        raise SystemExit("schemathesis is not installed (pip install -e '.[test]')")

    work = Path(tempfile.mkdtemp(prefix="learnloop-fuzz-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")}
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
        fresh_postgres(args.database_url)
    else:
        env["SQLITE_PATH"] = str(work / "fuzz.sqlite3")
    env.update(
        {
            "LEARNLOOP_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "DEBUG": "false",
            "STATIC_ROOT": str(work / "static"),
            "LOG_LEVEL": "WARNING",
        }
    )
    backend = "PostgreSQL" if args.database_url else "SQLite"
    log(f"seeding a small demo company on {backend}")
    learnloop("migrate", "--noinput", env=env)
    # Production settings serve hashed static files from a manifest: without it every page is a 500.
    learnloop("collectstatic", "--noinput", "-v", "0", env=env)
    learnloop("demo", "--people", "60", env=env, timeout=1200)
    tokens = {}
    for role, username in ROLES.items():
        if username:
            issued = learnloop("token", "create", username, "--name", "fuzz", "--json", env=env)
            tokens[role] = json.loads(issued.strip().splitlines()[-1])["token"]

    failed: list[str] = []
    server_log = work / "server.log"
    with serving(env, free_port(), server_log) as base:
        for role in ROLES:
            log(f"schemathesis as {role} ({args.phases})")
            command = [
                schemathesis,
                "run",
                f"{base}/api/v1/openapi.json",
                "--checks",
                "not_a_server_error",
                "--phases",
                args.phases,
                "--max-examples",
                str(args.max_examples),
                "--max-time",
                str(args.max_time),
                "--seed",
                str(args.seed),
                "--workers",
                "1",
                "--suppress-health-check",
                "all",
                "--warnings",
                "off",
            ]
            if role in tokens:
                command += ["--header", f"Authorization: Bearer {tokens[role]}"]
            # In the temporary folder: schemathesis keeps a cache in its working directory.
            done = subprocess.run(command, check=False, timeout=args.max_time + 300, cwd=work)
            if done.returncode != 0:
                failed.append(role)
    # Only the server's own error records count: generated URLs may contain any word, "ERROR" included.
    errors = [line for line in server_log.read_text().splitlines() if SERVER_ERROR.search(line)]
    if errors:
        log("the server logged errors:")
        print("\n".join(errors[:200]))
    shutil.rmtree(work, ignore_errors=True)
    if failed or errors:
        log(f"server errors found (roles: {', '.join(failed) or 'see the log'})")
        return 1
    log(f"0 server errors for {', '.join(ROLES)} on {backend}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
