from collections.abc import Iterator

import pytest
import time_machine

from learnloop.plans.tests.helpers import FROZEN_AT


@pytest.fixture(autouse=True)
def _plans_clock() -> Iterator[None]:
    """Plans, goals and due dates are built in YEAR: run at a fixed moment in June of that year (the clock
    ticks on from there), so a test written with "due on 1 December" cannot fail once December comes."""
    with time_machine.travel(FROZEN_AT, tick=True):
        yield
