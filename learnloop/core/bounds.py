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
