"""REST endpoints for a person's own learning record (the xAPI protocol itself lives at /xapi/)."""

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate

from learnloop.core.api import actor
from learnloop.lrs.pages import statements_about

router = Router(tags=["learning record"])


class _Statements:
    def __init__(self, queryset: Any) -> None:
        self.queryset = queryset

    def count(self) -> int:
        return int(self.queryset.count())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[dict[str, Any]]:
        return list(self.queryset.values_list("data", flat=True)[item])


@router.get("/me/statements", response=list[dict[str, Any]], summary="My xAPI statements, newest first")
@paginate(LimitOffsetPagination)
def my_statements(request: HttpRequest) -> Any:
    return _Statements(statements_about(actor(request)))
