"""Named locks held until the current transaction ends, for a rare change that rewrites many rows (the
proficiency scale's size) and must not interleave with the everyday writes that depend on what it
changes (a rating checked against the scale's top).

Everyday writes hold the lock shared, so they never wait for one another; the rare change holds it
exclusively, so it waits for writes under way to commit, and writes that come later wait for it and
then read what it left. PostgreSQL: an advisory lock, nothing stored. SQLite needs none: learnloop opens
its transactions with BEGIN IMMEDIATE (settings.py), so writers already run one at a time.
"""

from __future__ import annotations

import hashlib

from django.db import connection


def _key(name: str) -> int:
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


def hold(name: str, *, shared: bool = False) -> None:
    """Take the lock `name` for the rest of the transaction (waiting while another holds it in a way
    that conflicts). Call inside `transaction.atomic`: outside one, a lock would end with the statement."""
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise RuntimeError(f"The lock {name!r} is held until the transaction ends: take it inside one.")
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [_key(name)])
