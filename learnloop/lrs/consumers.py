"""Who wants to hear about newly stored statements from outside learnloop.

An explicit registry rather than signals: a domain registers a function in its AppConfig.ready(), and
the LRS calls each one with the new statement ids after the storing transaction commits. Consumers
should hand the work to a background task so ingestion stays fast.
"""

from collections.abc import Callable

Consumer = Callable[[list[str]], None]
_CONSUMERS: list[Consumer] = []


def register(consumer: Consumer) -> None:
    if consumer not in _CONSUMERS:
        _CONSUMERS.append(consumer)


def notify(statement_ids: list[str]) -> None:
    for consumer in _CONSUMERS:
        consumer(statement_ids)
