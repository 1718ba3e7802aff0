"""What every all-or-nothing CSV import shares: row errors with line and column, and header checks."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

Progress = Callable[[str, int, int], None]


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
    """The header and rows of a CSV text; header problems are added to `errors` (line 1).

    With `known` set, columns outside it are an error; without, extra columns are ignored (for
    exports such as ESCO's that carry many columns learnloop does not use).
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in (reader.fieldnames or [])]
    reader.fieldnames = header
    if not header:
        errors.append(RowError(1, "header", "the file is empty; the first line must name the columns"))
        return header, []
    missing = [c for c in required if c not in header]
    if missing:
        errors.append(RowError(1, "header", f"missing required column(s): {', '.join(missing)}"))
    if known is not None:
        unknown = [c for c in header if c not in known]
        if unknown:
            errors.append(RowError(1, "header", f"unknown column(s): {', '.join(unknown)}; known: {', '.join(known)}"))
    return header, list(reader)


def errors_as_text(errors: Iterable[RowError]) -> str:
    return "\n".join(str(e) for e in errors)
