import os
import subprocess
import sys
from pathlib import Path

import pytest

from learnloop.config.env import ImproperlyConfiguredEnv, env_bool, env_choice, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parents[3]


def test_env_bool_accepts_common_spellings_and_names_the_variable_when_it_cannot(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FLAG", "Yes")
    assert env_bool("FLAG") is True
    monkeypatch.setenv("FLAG", "off")
    assert env_bool("FLAG", True) is False
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfiguredEnv, match="FLAG='maybe' is not a boolean"):
        env_bool("FLAG")


def test_env_int_checks_type_and_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("N", "12")
    assert env_int("N", 1) == 12
    monkeypatch.setenv("N", "twelve")
    with pytest.raises(ImproperlyConfiguredEnv, match="N='twelve' is not a whole number"):
        env_int("N", 1)
    monkeypatch.setenv("N", "0")
    with pytest.raises(ImproperlyConfiguredEnv, match="below the minimum"):
        env_int("N", 1, minimum=1)


def test_secrets_can_come_from_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("API_KEY_FILE", str(secret))
    assert env_str("API_KEY") == "s3cret"
    monkeypatch.setenv("API_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfiguredEnv, match="API_KEY_FILE"):
        env_str("API_KEY")


def test_lists_and_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOSTS", "a.example, b.example,,")
    assert env_list("HOSTS") == ["a.example", "b.example"]
    monkeypatch.setenv("MODE", "staging")
    with pytest.raises(ImproperlyConfiguredEnv, match="must be one of"):
        env_choice("MODE", ("development", "production"), "development")


def _learnloop(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    dropped = ("LEARNLOOP_ENV", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "learnloop", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_the_deploy_check_without_warnings(tmp_path: Path) -> None:
    result = _learnloop(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        LEARNLOOP_ENV="production",
        SECRET_KEY="x" * 20 + "-production-secret-for-the-check-only-" + "y" * 20,
        ALLOWED_HOSTS="learnloop.example",
        SQLITE_PATH=str(tmp_path / "db.sqlite3"),
        STATIC_ROOT=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = _learnloop(
        "check", LEARNLOOP_ENV="production", ALLOWED_HOSTS="x.example", SQLITE_PATH=str(tmp_path / "db.sqlite3")
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_bad_value_stops_start_up_with_the_variable_named(tmp_path: Path) -> None:
    result = _learnloop("check", LOGIN_FAILURE_LIMIT="lots", SQLITE_PATH=str(tmp_path / "db.sqlite3"))
    assert result.returncode != 0
    assert "LOGIN_FAILURE_LIMIT='lots' is not a whole number" in result.stderr


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="checks the SQLite defaults")
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    code = (
        "import django; django.setup(); from django.db import connection; c = connection.cursor();"
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]);"
        "c.execute('PRAGMA busy_timeout'); print(c.fetchone()[0])"
    )
    clean = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "learnloop.config.settings", "SQLITE_PATH": str(tmp_path / "d.db")},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=ROOT,
    )
    mode, timeout_ms = result.stdout.split()
    assert mode == "wal" and int(timeout_ms) >= 5000


def test_every_answer_carries_the_content_security_policy(client) -> None:
    from csp.utils import build_policy

    answer = client.get("/healthz")
    assert answer["Content-Security-Policy"] == build_policy()
    assert "default-src 'self'" in answer["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in answer["Content-Security-Policy"]
