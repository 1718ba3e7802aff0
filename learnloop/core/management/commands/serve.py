import os
import signal
import subprocess
import sys
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from learnloop.config.wsgi import application

        return application


class Command(BaseCommand):
    help = "Serve learnloop with gunicorn (production-grade), optionally with a background worker beside it."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("WEB_CONCURRENCY", "2")),
            help="Processes answering requests (WEB_CONCURRENCY)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("WEB_THREADS", "4")),
            help="Threads per process (WEB_THREADS)",
        )
        parser.add_argument(
            "--with-worker", action="store_true", help="Also run `learnloop worker` until the server stops"
        )
        parser.add_argument("--access-log", action="store_true", help="Log every request")

    def handle(self, *args: Any, **options: Any) -> None:
        if not os.environ.get("SITE_URL") and not os.environ.get("SITE_URL_FILE"):
            # No configured site: then it is where this server listens, for what has no request to go by
            # (emails, the worker's tasks), here and in the worker started below.
            host = options["host"] if options["host"] not in ("0.0.0.0", "::", "") else "127.0.0.1"  # noqa: S104
            host = f"[{host}]" if ":" in host else host
            os.environ["SITE_URL"] = settings.SITE_URL = f"http://{host}:{options['port']}"
        worker = None
        if options["with_worker"]:
            worker = subprocess.Popen([sys.executable, "-m", "learnloop", "worker"])
        bind = f"{options['host']}:{options['port']}"
        self.stdout.write(f"learnloop is serving on http://{bind} (stop with Ctrl+C)")
        gunicorn_options = {
            "bind": bind,
            "workers": options["workers"],
            "threads": options["threads"],
            "worker_class": "gthread" if options["threads"] > 1 else "sync",
            "accesslog": "-" if options["access_log"] else None,
            "errorlog": "-",
            "loglevel": "warning",
            "graceful_timeout": 10,
            "timeout": 60,
            "keepalive": 5,
        }
        try:
            _Gunicorn(gunicorn_options).run()
        finally:
            if worker is not None:
                worker.send_signal(signal.SIGTERM)
                worker.wait(timeout=15)
