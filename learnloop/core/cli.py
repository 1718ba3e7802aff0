"""Helpers for `learnloop` commands: a progress line on stderr and the person a command acts as."""

import sys
from typing import Any


class ProgressLine:
    """A single updating line ("checking 4,500 / 10,000 rows (45%)") for long commands; quiet when
    the output is not a terminal except for a line every 10%, so CI logs stay short."""

    def __init__(self, stream: Any = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self._last: tuple[str, int] = ("", -1)

    def __call__(self, stage: str, done: int, total: int) -> None:
        percent = 100 if total == 0 else done * 100 // total
        if not self.tty and (stage, percent // 10) == (self._last[0], self._last[1] // 10) and done != total:
            return
        self._last = (stage, percent)
        text = f"{stage} {done:,} / {total:,} rows ({percent}%)"
        if self.tty:
            self.stream.write("\r" + text.ljust(60))
            if done == total:
                self.stream.write("\n")
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
