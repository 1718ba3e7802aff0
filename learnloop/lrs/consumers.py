"""Who wants to hear about newly stored statements from outside learnloop.

An explicit registry rather than signals: a domain registers a function in its AppConfig.ready(), and
the LRS calls each one with the new statements after the storing transaction commits. A consumer gets
the columns the LRS already holds for each statement, so it can tell cheaply whether any of them
concerns it (most external traffic concerns nobody) and hand only those to a background task, keeping
ingestion fast.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class NewStatement:
    """What the LRS stored for one statement, as consumers see it."""

    statement_id: str
    person_id: int | None  # the learnloop person the actor is, if any
    verb_id: str
    object_type: str
    object_ref: str  # the activity IRI when object_type is "Activity"
    result: dict[str, Any] | None
    # Whether the sending client is trusted for this activity (its IRI starts with one of the client's
    # trusted prefixes): only then may the statement move learning. Untrusted ones are stored all the same.
    trusted: bool = False


Consumer = Callable[[list[NewStatement]], None]
_CONSUMERS: list[Consumer] = []


def register(consumer: Consumer) -> None:
    if consumer not in _CONSUMERS:
        _CONSUMERS.append(consumer)


def notify(statements: list[NewStatement]) -> None:
    for consumer in _CONSUMERS:
        consumer(statements)
