"""REST endpoints for a person's own learning record (the xAPI protocol itself lives at /xapi/)."""

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from learnloop.core.api import LazyPage, LimitOffsetPagination, actor
from learnloop.lrs.views import statements_about

router = Router(tags=["learning record"])


@router.get("/me/statements", response=list[dict[str, Any]], summary="My xAPI statements, newest first")
@paginate(LimitOffsetPagination)
def my_statements(request: HttpRequest) -> Any:
    return LazyPage(statements_about(actor(request)), rows=lambda q: q.values_list("data", flat=True))
