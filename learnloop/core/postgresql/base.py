"""Django's PostgreSQL backend with a cheaper per-request health check.

With CONN_HEALTH_CHECKS, Django sends `SELECT 1` before the first query of every request that reuses a
persistent connection: one round trip to the server per request, about a tenth of a cached API answer's
cost. This backend asks the socket instead. A connection the server still serves has nothing to read
between requests; one the server closed or is closing (a restart, `pg_terminate_backend`, an idle
timeout) has its goodbye message or the end of the stream waiting. Only then is `SELECT 1` sent, and the
connection is replaced when it fails, exactly as Django would. psycopg's own view (closed, broken) is
checked first. learnloop uses no LISTEN/NOTIFY, so nothing else arrives unasked.
"""

import select
from typing import Any

from django.db.backends.postgresql import base


def socket_has_data(connection: Any) -> bool:
    """Whether the server has sent anything (or closed the stream) on this idle connection."""
    try:
        readable, _, _ = select.select([connection.fileno()], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


class DatabaseWrapper(base.DatabaseWrapper):
    # Set by Django's base wrapper; declared here because django-stubs does not know them.
    health_check_enabled: bool
    health_check_done: bool

    def close_if_health_check_failed(self) -> None:
        if self.connection is None or not self.health_check_enabled or self.health_check_done:
            return
        raw = self.connection
        if raw.closed or raw.broken or (socket_has_data(raw) and not self.is_usable()):
            self.close()
        self.health_check_done = True
