"""BENCHMARK-ONLY launcher for Ralph's LRS (ralph-malph) with its file-system backend.

Used by `benchmarks/lrs.py` to compare learnloop's LRS with Ralph on the same machine, client and
data. It is never imported by learnloop and must run with the Python of a separate virtualenv that
has `ralph-malph[backend-fs,lrs,cli]` installed (benchmarks/lrs.py makes one under /tmp).

What it changes from `ralph runserver -b fs`, and why:

- Ralph's fs data backend defaults to `operation_type=CREATE`, which refuses to write to a file that
  already exists, so the LRS accepts exactly one POST and then answers 500. This launcher sets the
  backend's default operation type to APPEND (a class attribute, patched before the app is imported),
  the one setting the issue allows a benchmark-only launcher to change.
- `ralph runserver` starts uvicorn with `reload=True` and debug logging, a development setup; this
  launcher runs the same ASGI app (`ralph.api:app`) in one uvicorn process with warning-level logs.

Everything else (validation, duplicate checks, the file format, the query code) is Ralph's own.
Configuration comes from Ralph's usual environment variables, which benchmarks/lrs.py sets:
RALPH_RUNSERVER_BACKEND=fs, RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH, RALPH_AUTH_FILE and
RALPH_HISTORY_FILE.
"""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Benchmark-only: Ralph's LRS, fs backend, append mode")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    if args.host not in ("127.0.0.1", "::1", "localhost"):
        parser.error("the benchmark launcher only listens on loopback")
    os.environ.setdefault("RALPH_RUNSERVER_BACKEND", "fs")

    import uvicorn
    from ralph.backends.data.base import BaseOperationType
    from ralph.backends.data.fs import FSDataBackend
    from ralph.backends.lrs.fs import FSLRSBackend

    FSDataBackend.default_operation_type = BaseOperationType.APPEND
    FSLRSBackend.default_operation_type = BaseOperationType.APPEND

    uvicorn.run("ralph.api:app", host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
