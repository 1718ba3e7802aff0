"""`since`/`until` pages: the same statements, in the same order, through the same `more` links, whether
the database walks `seq` or reads the window index (selectors._windowed), on both backends."""

import datetime as dt
import json
from typing import Any

import pytest

from learnloop.lrs import selectors
from learnloop.lrs.models import Statement
from learnloop.lrs.tests.conftest import Lrs, statement

START = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def stored(lrs: Lrs) -> list[tuple[int, dt.datetime]]:
    """Twelve statements, three per minute, with `stored` growing with `seq` except one that arrived
    late (a slow request: stored a minute earlier than the statement before it), and one voided."""
    lrs.post(json.dumps([statement() for _ in range(12)]))
    seqs = list(Statement.objects.order_by("seq").values_list("seq", flat=True))
    for position, seq in enumerate(seqs):
        Statement.objects.filter(seq=seq).update(stored=START + (position // 3) * MINUTE)
    late = seqs[7]  # seq order: ... 6 (minute 2), 7 (stored at minute 1), 8 (minute 2) ...
    Statement.objects.filter(seq=late).update(stored=START + MINUTE)
    Statement.objects.filter(seq=seqs[4]).update(voided=True)
    return list(Statement.objects.filter(voided=False).order_by("seq").values_list("seq", "stored"))


def _expected(rows: list[tuple[int, dt.datetime]], query: selectors.StatementFilter) -> list[int]:
    inside = [
        seq
        for seq, moment in rows
        if (query.since is None or moment > query.since) and (query.until is None or moment <= query.until)
    ]
    return sorted(inside, reverse=not query.ascending)


def _every_page(query: selectors.StatementFilter) -> tuple[list[int], int]:
    """Every statement through the `more` links, and how many pages that took."""
    page, more, _ = selectors.statement_page(query)
    seen = [s.seq for s in page]
    pages = 1
    while more:
        next_query, after, bound = selectors.more_page(more, reader_id=query.reader_id)
        page, more, _ = selectors.statement_page(next_query, after_seq=after, bound=bound)
        seen += [s.seq for s in page]
        pages += 1
    return seen, pages


WINDOWS = [
    (START, START + 2 * MINUTE),  # the middle: newer statements beyond `until`, older ones before `since`
    (START + MINUTE, None),  # everything newer than a moment
    (None, START + MINUTE),  # everything up to a moment
    (START - MINUTE, START + 9 * MINUTE),  # all of it
    (START + 9 * MINUTE, None),  # nothing
]


@pytest.mark.parametrize("walk_skip", [1000, 1], ids=["walking seq", "reading the window index"])
@pytest.mark.parametrize("ascending", [False, True], ids=["newest first", "ascending"])
@pytest.mark.parametrize(("since", "until"), WINDOWS)
def test_a_window_pages_the_same_way_whichever_way_it_is_read(
    stored: list[tuple[int, dt.datetime]],
    monkeypatch: Any,
    walk_skip: int,
    ascending: bool,
    since: dt.datetime | None,
    until: dt.datetime | None,
) -> None:
    monkeypatch.setattr(selectors, "WALK_SKIP", walk_skip)
    query = selectors.StatementFilter(since=since, until=until, ascending=ascending, limit=2)
    expected = _expected(stored, query)
    seen, pages = _every_page(query)
    assert seen == expected
    assert pages == max(1, -(-len(expected) // 2))


def _meets_the_walk(**window: Any) -> bool:
    query = selectors.StatementFilter(**window)
    return selectors._window_meets_the_walk(query, selectors._page_values(query, bound=None, after_seq=None))


def test_a_window_far_from_where_pages_start_is_read_from_its_index(
    stored: list[tuple[int, dt.datetime]], monkeypatch: Any
) -> None:
    monkeypatch.setattr(selectors, "WALK_SKIP", 3)
    # Newest-first pages start at the newest statement: what is newer than `until` lies in the way. Past
    # minute 1 there are five live statements (the late one of minute 1 counts as inside), three or more.
    assert not _meets_the_walk(since=START, until=START + MINUTE)
    assert _meets_the_walk(since=START, until=START + 3 * MINUTE)
    assert _meets_the_walk(since=START)
    # Ascending pages start at the oldest: what is stored at or before `since` lies in the way.
    assert _meets_the_walk(since=START - MINUTE, ascending=True)
    assert not _meets_the_walk(since=START, ascending=True)  # minute 0: three statements
    assert _meets_the_walk(until=START, ascending=True)
