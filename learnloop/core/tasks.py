"""Background tasks that are retried when they fail, and stay visible when they finally do not succeed.

django-tasks runs a task once. `durable_task` wraps a function so that a failure re-enqueues it with a
growing delay (30 s, 2 min, 8 min ...) up to TASK_MAX_ATTEMPTS; every attempt, failed ones included,
keeps its row with the traceback, which admins see under Admin > Background tasks.
"""

import datetime as dt
import functools
import logging
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

ATTEMPT_KWARG = "_attempt"


def retry_delay(attempt: int) -> dt.timedelta:
    return dt.timedelta(seconds=30 * 4 ** (attempt - 1))


def durable_task(
    *, max_attempts: int | None = None, queue_name: str = "default", priority: int = 0
) -> Callable[[Callable[..., T]], Any]:
    def decorate(func: Callable[..., T]) -> Any:
        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> T:
            attempt = int(kwargs.pop(ATTEMPT_KWARG, 1))
            limit = max_attempts or settings.TASK_MAX_ATTEMPTS
            try:
                return func(*args, **kwargs)
            except Exception:
                if attempt < limit:
                    logger.warning("Task %s failed on attempt %d of %d; retrying", func.__name__, attempt, limit)
                    wrapped.using(run_after=timezone.now() + retry_delay(attempt)).enqueue(
                        *args, **{**kwargs, ATTEMPT_KWARG: attempt + 1}
                    )
                else:
                    logger.error("Task %s failed on its last attempt (%d)", func.__name__, attempt)
                raise

        wrapped = task(queue_name=queue_name, priority=priority)(run)
        return wrapped

    return decorate


@durable_task(queue_name="email")
def email_send(*, subject: str, body: str, to: list[str], html_body: str | None = None) -> None:
    """Send one email. SMTP hiccups raise, so the email is retried rather than lost."""
    from django.core.mail import EmailMultiAlternatives

    message = EmailMultiAlternatives(subject=subject, body=body, to=to)
    if html_body:
        message.attach_alternative(html_body, "text/html")
    message.send(fail_silently=False)
