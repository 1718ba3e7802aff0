"""What every all-or-nothing CSV import shares: row errors with line and column, and header checks."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

Progress = Callable[[str, int, int], None]

# The csv module refuses a field over its limit (128 KB by default) with an error that names neither
# line nor column, which failed the whole job. The reader takes any length (the text is in memory
# already, bounded by the importer's max_bytes) and read_rows reports a longer field as a row problem.
MAX_FIELD_CHARS = 128 * 1024
_READER_LIMIT = 2**31 - 1
if csv.field_size_limit() < _READER_LIMIT:
    csv.field_size_limit(_READER_LIMIT)


def no_progress(stage: str, done: int, total: int) -> None:
    return None


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.column}: {self.message}"


class ImportRejected(Exception):
    """The file has problems; nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} problem(s) found; nothing was imported")


def read_rows(
    text: str,
    errors: list[RowError],
    *,
    required: Sequence[str],
    known: Sequence[str] | None = None,
) -> tuple[list[str], list[dict[str, str]]]:
    """The header and rows of a CSV text; problems are added to `errors`: the header's on line 1, a row's
    on its line (the header is line 1, the first row line 2, as importers count).

    With `known` set, columns outside it are an error; without, extra columns are ignored (for
    exports such as ESCO's that carry many columns learnloop does not use). A column named twice is
    always an error: which of the two values counts would be a guess. A field longer than
    MAX_FIELD_CHARS is a problem of its row and column.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [name.strip() for name in (reader.fieldnames or [])]
    except csv.Error as exc:
        errors.append(RowError(1, "header", f"cannot be read as CSV ({exc})"))
        return [], []
    reader.fieldnames = header
    if not header:
        errors.append(RowError(1, "header", "the file is empty; the first line must name the columns"))
        return header, []
    too_long = [name for name in header if len(name) > MAX_FIELD_CHARS]
    if too_long:
        errors.append(RowError(1, "header", f"a column name is longer than {MAX_FIELD_CHARS:,} characters"))
        return [], []
    twice = [name for index, name in enumerate(header) if name and name in header[:index]]
    if twice:
        names = ", ".join(dict.fromkeys(twice))
        errors.append(RowError(1, "header", f"column(s) named more than once: {names}; name each column once"))
    missing = [c for c in required if c not in header]
    if missing:
        errors.append(RowError(1, "header", f"missing required column(s): {', '.join(missing)}"))
    if known is not None:
        unknown = [c for c in header if c not in known]
        if unknown:
            errors.append(RowError(1, "header", f"unknown column(s): {', '.join(unknown)}; known: {', '.join(known)}"))
    rows: list[dict[str, str]] = []
    try:
        for row in reader:
            _check_field_lengths(len(rows) + 2, row, errors)
            rows.append(row)
    except csv.Error as exc:
        errors.append(RowError(len(rows) + 2, "row", f"cannot be read as CSV ({exc})"))
    return header, rows


def _check_field_lengths(line: int, row: dict[str, Any], errors: list[RowError]) -> None:
    for column, value in row.items():
        # Values beyond the header's columns come as a list under the key None.
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, str) and len(v) > MAX_FIELD_CHARS for v in values):
            errors.append(
                RowError(
                    line,
                    column or "row",
                    f"is longer than {MAX_FIELD_CHARS:,} characters (a quote left open makes the rest of "
                    "the file one value)",
                )
            )


def errors_as_text(errors: Iterable[RowError]) -> str:
    return "\n".join(str(e) for e in errors)
