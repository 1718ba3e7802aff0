"""Grow the benchmark database to the growth-core scale: 50,000 catalog items and 2 million enrolments.

`make bench` runs this after `learnloop demo --people 10000` (the demo seeds about 200 real items and a
few hundred enrolments). The extra items are published self-paced courses with plausible titles made of
words the demo's own catalog uses, so catalog search has real work to do; each person gets enrolments
spread over the items (60 % completed, 25 % in progress, 15 % enrolled) so "my learning", plans and
pathways read realistic histories. Idempotent: it tops up to the sizes asked for and exits quickly when
they are there. Rows go in with plain multi-row INSERTs in batches (the ORM would take minutes for 2M).

    python benchmarks/growth_fill.py --items 50000 --enrollments 2000000   # with SQLITE_PATH or DATABASE_URL
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
import uuid
from collections.abc import Sequence
from typing import Any

MARKER = "bench-growth"  # the `audience` of every filler item, so a re-run can count them
BATCH = 5_000
# A prime stride that shares no factor with the item count spreads each person's items over the catalog.
STRIDE = 4_729

TOPICS = (
    "Facilitation",
    "Feedback",
    "Coaching",
    "Negotiation",
    "Python",
    "Data analysis",
    "Product discovery",
    "Retrospectives",
    "Risk management",
    "Accessibility",
    "Incident response",
    "Public speaking",
    "Budgeting",
    "Hiring",
    "Mentoring",
    "Security",
    "Design systems",
    "Customer interviews",
    "Writing",
    "Experimentation",
)
FORMS = ("essentials", "in practice", "deep dive", "for managers", "workshop", "field guide", "masterclass")


def log(text: str) -> None:
    print(f"[growth-fill] {text}", file=sys.stderr, flush=True)


def progress(label: str, done: int, total: int, started: float) -> None:
    rate = done / max(time.monotonic() - started, 0.001)
    print(f"\r[growth-fill] {label} {done:,} / {total:,} ({rate:,.0f}/s)", end="", file=sys.stderr, flush=True)


def insert_rows(model: Any, columns: str, rows: list[tuple[Any, ...]]) -> None:
    """One transaction of single-row INSERTs through executemany, each value prepared by its field as the
    ORM would (dates and UUIDs stored exactly as Django stores them on this database)."""
    from django.db import connection, transaction

    fields = [model._meta.get_field(name.strip().removesuffix("_id")) for name in columns.split(",")]
    prepared = [tuple(f.get_db_prep_value(v, connection) for f, v in zip(fields, row, strict=True)) for row in rows]
    placeholders = ", ".join(["%s"] * len(fields))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({placeholders})", prepared)  # noqa: S608


def fill_items(target: int) -> list[int]:

    from learnloop.learning.models import CatalogItem

    have = CatalogItem.objects.filter(audience=MARKER).count()
    rng = random.Random(20261122)
    now = dt.datetime.now(dt.UTC)
    started = time.monotonic()
    columns = (
        "kind, title, summary, delivery, url, lesson, duration_minutes, language, audience, author, isbn, "
        "scope, is_published, file, created_at, updated_at"
    )
    while have < target:
        rows = []
        for n in range(have, min(have + BATCH, target)):
            topic, form = TOPICS[n % len(TOPICS)], FORMS[(n // len(TOPICS)) % len(FORMS)]
            title = f"{topic} {form} #{n + 1}"
            summary = f"A self-paced course on {topic.lower()} ({form}), with exercises drawn from real teams."
            rows.append(
                (
                    "self_paced",
                    title,
                    summary,
                    "link",
                    f"https://learn.example/{n + 1}",
                    "",
                    rng.choice((15, 30, 45, 60, 90, 120)),
                    "en",
                    MARKER,
                    "",
                    "",
                    "",
                    True,
                    "",
                    now,
                    now,
                )
            )
        insert_rows(CatalogItem, columns, rows)
        have += len(rows)
        progress("catalog items", have, target, started)
    if target:
        print(file=sys.stderr)
    return list(CatalogItem.objects.filter(is_published=True).order_by("pk").values_list("pk", flat=True))


def fill_enrollments(target: int, item_ids: list[int]) -> None:

    from learnloop.learning.models import Enrollment
    from learnloop.people.models import Person

    have = Enrollment.objects.count()
    if have >= target:
        log(f"{have:,} enrolments already; nothing to add")
        return
    people = list(Person.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    per_person = -(-target // len(people))
    if per_person > len(item_ids):
        raise SystemExit(f"{target:,} enrolments need at least {per_person:,} items per person")
    taken = set(Enrollment.objects.values_list("person_id", "item_id"))
    rng = random.Random(20261122)
    now = dt.datetime.now(dt.UTC)
    started = time.monotonic()
    columns = (
        "person_id, item_id, status, progress, registration, enrolled_at, started_at, completed_at, "
        "learned, apply_plan, outcome, do_differently"
    )
    batch: list[tuple[object, ...]] = []

    def flush() -> None:
        insert_rows(Enrollment, columns, batch)
        batch.clear()

    for index, person_id in enumerate(people):
        for k in range(per_person):
            if have >= target:
                break
            item_id = item_ids[(index * 7_919 + k * STRIDE) % len(item_ids)]
            if (person_id, item_id) in taken:
                continue
            enrolled = now - dt.timedelta(days=rng.randint(1, 720))
            roll = rng.random()
            if roll < 0.60:
                status, pct, started_at, completed = (
                    "completed",
                    100,
                    enrolled,
                    enrolled + dt.timedelta(days=rng.randint(1, 30)),
                )
            elif roll < 0.85:
                status, pct, started_at, completed = "in_progress", rng.randint(5, 95), enrolled, None
            else:
                status, pct, started_at, completed = "enrolled", 0, None, None
            registration = uuid.UUID(int=rng.getrandbits(128), version=4)
            batch.append(
                (
                    person_id,
                    item_id,
                    status,
                    pct,
                    registration,
                    enrolled,
                    started_at,
                    completed,
                    "",
                    "",
                    "",
                    "",
                )
            )
            have += 1
            if len(batch) >= BATCH:
                flush()
                progress("enrolments", have, target, started)
        if have >= target:
            break
    if batch:
        flush()
    progress("enrolments", have, target, started)
    print(file=sys.stderr)


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--items", type=int, default=50_000, help="Filler catalog items to have in all")
    parser.add_argument("--enrollments", type=int, default=2_000_000, help="Enrolments to have in all")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnloop.config.settings")
    import django

    django.setup()
    from learnloop.core import response_cache

    started = time.monotonic()
    item_ids = fill_items(args.items)
    fill_enrollments(args.enrollments, item_ids)
    if connection_vendor() == "postgresql":
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE learning_catalogitem; ANALYZE learning_enrollment")
    response_cache.version_bump(response_cache.EVERYTHING)
    log(f"done in {time.monotonic() - started:.0f} s")
    return 0


def connection_vendor() -> str:
    from django.db import connection

    return connection.vendor


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
