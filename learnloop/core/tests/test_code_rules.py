"""Rules about the code itself that a linter does not know: each names a bug that once reached users."""

import re
from pathlib import Path

import learnloop

ROOT = Path(learnloop.__file__).parent


def _sources() -> list[Path]:
    return [path for path in ROOT.rglob("*.py") if "tests" not in path.parts and "migrations" not in path.parts]


def test_digits_are_parsed_by_core_bounds_only() -> None:
    """`"²".isdigit()` is true and `int("²")` raises: a check with isdigit() before int() was a 500 in eight
    places. core.bounds.parse_int / parse_id check for ASCII digits; use them."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _sources()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if re.search(r"\.isdigit\(\)", line) and "isascii()" not in line
    ]
    assert offenders == []
