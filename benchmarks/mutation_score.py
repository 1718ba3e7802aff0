"""`make mutation`'s summary: reads `mutmut results --all true` on stdin and prints, per rule module, how
many mutants the tests killed and which survived (docs/testing.md).

A mutant counts as caught when a test failed (killed) or ran past the time limit (timeout: the mutant
made the code loop or crawl, which a test run notices too). Mutants mutmut could not judge (no tests,
skipped, suspicious) count against the score."""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict

_LINE = re.compile(r"^\s*(?P<name>[\w.ǁ]+?)__mutmut_\d+:\s*(?P<status>[\w ]+?)\s*$")
CAUGHT = {"killed", "timeout"}


def module_of(function: str) -> str:
    """`learnloop.skills.calibration.x_calibrate` -> `learnloop/skills/calibration.py`."""
    return function.rsplit(".", 1)[0].replace(".", "/") + ".py"


def main() -> int:
    statuses: dict[str, Counter[str]] = defaultdict(Counter)
    survivors: dict[str, list[str]] = defaultdict(list)
    for line in sys.stdin:
        found = _LINE.match(line)
        if found is None:
            continue
        module, status = module_of(found["name"]), found["status"]
        statuses[module][status] += 1
        if status not in CAUGHT:
            survivors[module].append(f"{line.strip()}")
    if not statuses:
        print("no mutant results found (did `mutmut run` finish?)")
        return 1
    print(f"{'module':40} {'mutants':>7} {'caught':>7} {'score':>6}")
    for module in sorted(statuses):
        counts = statuses[module]
        total, caught = sum(counts.values()), sum(counts[s] for s in CAUGHT)
        print(f"{module:40} {total:7} {caught:7} {caught / total:6.0%}")
    for module in sorted(survivors):
        print(f"\n{module}: not caught (`mutmut show NAME` shows the change)")
        for survivor in survivors[module]:
            print(f"  {survivor}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
