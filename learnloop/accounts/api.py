"""REST endpoints for personal API tokens."""

import datetime as dt
from typing import Annotated, Any

from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from learnloop.accounts import services
from learnloop.accounts.lockout import lockout_response
from learnloop.accounts.models import ApiToken
from learnloop.core import policy
from learnloop.core.api import API_SOURCE, actor
from learnloop.core.bounds import ApiDateTime, Id, Line, OneLine

router = Router(tags=["tokens"])


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreatedOut(TokenOut):
    token: str


class TokenIn(Schema):
    name: Line
    expires_at: ApiDateTime | None = None


class PasswordTokenIn(TokenIn):
    username: Annotated[str, Field(max_length=150), OneLine]
    password: Annotated[str, Field(max_length=1024), OneLine]


def _created(issued: services.IssuedToken) -> dict[str, Any]:
    token = issued.token
    return {**TokenOut.from_orm(token).model_dump(), "token": issued.secret}


@router.get("/tokens", response=list[TokenOut], summary="My API tokens")
def tokens_list(request: HttpRequest) -> Any:
    return list(ApiToken.objects.filter(person=actor(request)))


@router.post("/tokens", response={201: TokenCreatedOut}, summary="Make an API token (shown once)")
def tokens_create(request: HttpRequest, payload: TokenIn) -> Status:
    issued = services.token_create(
        actor=actor(request),
        person=actor(request),
        name=payload.name,
        expires_at=payload.expires_at,
        source=API_SOURCE,
    )
    return Status(201, _created(issued))


@router.delete("/tokens/{token_id}", response=TokenOut, summary="Revoke an API token")
def tokens_revoke(request: HttpRequest, token_id: Id) -> ApiToken:
    token = policy.get_or_404(actor(request), "revoke", ApiToken.objects.all(), pk=token_id)
    return services.token_revoke(actor=actor(request), token=token, source=API_SOURCE)


@router.post("/auth/token", auth=None, response={201: TokenCreatedOut}, summary="Exchange a password for a token")
def auth_token(request: HttpRequest, payload: PasswordTokenIn) -> Any:
    """For scripts that hold a password. Repeated failures lock the account out (429 with Retry-After)."""
    person = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        return lockout_response(request)
    if person is None:
        raise HttpError(401, "The user name or password is wrong.")
    issued = services.token_create(
        actor=person,
        person=person,
        name=payload.name,
        expires_at=payload.expires_at,
        source=API_SOURCE,
    )
    return Status(201, _created(issued))
