"""The PostgreSQL backend's health check: no round trip for a healthy connection, and a connection the
server closed is noticed and replaced before a request uses it."""

import time
from typing import Any

import pytest
from django.db import connection, connections

from learnloop.core.postgresql.base import DatabaseWrapper, socket_has_data

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="checks the PostgreSQL backend")


def test_postgresql_runs_on_learnloops_backend() -> None:
    assert isinstance(connections["default"], DatabaseWrapper)


@pytest.mark.django_db
def test_a_healthy_connection_is_kept_without_asking_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[int] = []

    def is_usable(self: DatabaseWrapper) -> bool:
        asked.append(1)
        return True

    monkeypatch.setattr(DatabaseWrapper, "is_usable", is_usable)
    wrapper: Any = connections["default"]
    wrapper.ensure_connection()
    raw = wrapper.connection
    wrapper.health_check_enabled, wrapper.health_check_done = True, False
    wrapper.close_if_health_check_failed()
    assert wrapper.connection is raw and asked == [] and wrapper.health_check_done


@pytest.mark.django_db
def test_a_connection_the_server_ended_is_replaced() -> None:
    other: Any = connections.create_connection("default")
    try:
        other.ensure_connection()
        pid = other.connection.info.backend_pid
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + 10
        while not socket_has_data(other.connection) and time.monotonic() < deadline:
            time.sleep(0.01)
        other.health_check_enabled, other.health_check_done = True, False
        other.close_if_health_check_failed()
        assert other.connection is None
        # The next query connects afresh.
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            assert cursor.fetchone()[0] != pid
    finally:
        other.close()
