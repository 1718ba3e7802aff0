"""JSON for statements: orjson where it can, the standard library where orjson cannot.

orjson is several times faster, but refuses integers beyond 64 bits, which xAPI extensions may hold
and which json.loads reads exactly; those (rare) documents fall back to the standard library. Input is
always parsed with json.loads, which keeps such integers exact (orjson would turn them into floats).
"""

import json
from typing import Any

import orjson


def dumps(value: Any) -> bytes:
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
