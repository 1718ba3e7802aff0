"""The range every number and moment from outside must fall in before it reaches the database.

A 30-digit id or the year 1 is not a reason to answer 500: SQLite refuses integers above 2**63 - 1
(`OverflowError`), PostgreSQL refuses them as out of range, and turning 0001-01-01 into UTC overflows
Python's datetime. So request input is bounded where it is parsed: `Id` for API ids (schemas, filters,
path parameters), `ApiDateTime` / `ApiDate` for API moments, `IdConverter` (`<id:...>`) for ids in
page URLs and `core.forms` for form fields. Each bad value is a 400 naming its field (a 404 for a URL).
"""

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, Field

from learnloop.core.input import text_problem

MAX_ID = 2**63 - 1
"""The largest value a 64-bit signed integer column holds: every id and count in either database."""

MIN_YEAR = 1900
MAX_YEAR = 2999

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
"""A database id in API input: positive and small enough for a 64-bit column."""

Offset = Annotated[int, Field(ge=0, le=MAX_ID)]
"""How many rows to skip: SQL takes up to a 64-bit number."""

MAX_COUNT = 2**31 - 1
MAX_SMALL_COUNT = 2**15 - 1

Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
"""A stored non-negative number (minutes, capacity): what a PositiveIntegerField holds in PostgreSQL."""

SmallCount = Annotated[int, Field(ge=0, le=MAX_SMALL_COUNT)]
"""A stored small number (levels, months): what a PositiveSmallIntegerField holds in PostgreSQL."""


def _year_in_range(value: dt.date) -> dt.date:
    if not year_in_range(value):
        raise ValueError(f"Use a year between {MIN_YEAR} and {MAX_YEAR}.")
    return value


_YEARS = {"x-year-range": [MIN_YEAR, MAX_YEAR]}

ApiDateTime = Annotated[dt.datetime, AfterValidator(_year_in_range), Field(json_schema_extra=_YEARS)]
"""A moment in API input, between the years 1900 and 2999 (time-zone arithmetic cannot overflow)."""

ApiDate = Annotated[dt.date, AfterValidator(_year_in_range), Field(json_schema_extra=_YEARS)]
"""A day in API input, between the years 1900 and 2999 (adding reminder offsets cannot overflow)."""


def _one_line(value: str) -> str:
    problem = text_problem(value, single_line=True)
    if problem:
        raise ValueError(f"This {problem}")
    return value


def _plain_text(value: str) -> str:
    problem = text_problem(value)
    if problem:
        raise ValueError(f"This {problem}")
    return value


OneLine = AfterValidator(_one_line)
"""For a one-line string in API input: no line breaks or control characters (with a `max_length`)."""

PlainText = AfterValidator(_plain_text)
"""For a multi-line string in API input: line breaks and tabs, no other control characters."""

MAX_LINE = 200
MAX_TEXT_FIELD = 20_000

Line = Annotated[str, Field(max_length=MAX_LINE), OneLine]
"""A name, title or other one-line value in API input; a field whose column is narrower says so with
`Annotated[str, Field(max_length=N), OneLine]`."""

Text = Annotated[str, Field(max_length=MAX_TEXT_FIELD), PlainText]
"""A description, reflection or comment in API input: up to 20,000 characters on several lines."""

QueryText = Annotated[str, Field(max_length=MAX_LINE), OneLine]
"""Words to search for or a filter value in an API query string."""


def year_in_range(value: dt.date) -> bool:
    """True for a day or moment inside the supported years."""
    return MIN_YEAR <= value.year <= MAX_YEAR


def parse_id(raw: str | None) -> int | None:
    """The id in a query-string or form value, or None when it is not one (not digits, 0, or too big)."""
    text = (raw or "").strip()
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def parse_int(raw: str | None, *, low: int = 0, high: int = MAX_COUNT, clamp: bool = False) -> int | None:
    """A whole number in a query-string, form or header value, or None when it is not one from `low` to
    `high` (with `clamp`, a larger one is `high`). Only ASCII digits count: a superscript two is a digit
    to str.isdigit, and int() refuses it."""
    text = (raw or "").strip()
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text) if len(text) <= 19 else high + 1
    if number > high and clamp:
        return high
    return number if low <= number <= high else None


class IdConverter:
    """`<id:name>` in a URL: digits up to `MAX_ID`; a longer number is no match, so a 404."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError(value)  # Django reads ValueError from a converter as "this URL does not match"
        return number

    def to_url(self, value: int | str) -> str:
        return str(value)
