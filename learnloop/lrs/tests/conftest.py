import base64
from typing import Any

import pytest
from django.test import Client as HttpClient

from learnloop.lrs.services import client_create


class Lrs:
    """A test client that speaks xAPI with one LRS client's credentials."""

    def __init__(self, key: str, secret: str, version: str = "1.0.3") -> None:
        token = base64.b64encode(f"{key}:{secret}".encode()).decode()
        self.http = HttpClient(headers={"Authorization": f"Basic {token}", "X-Experience-API-Version": version})

    def post(self, body: Any, path: str = "/xapi/statements", **kwargs: Any) -> Any:
        return self.http.post(path, body, content_type=kwargs.pop("content_type", "application/json"), **kwargs)

    def put(self, path: str, body: Any, **kwargs: Any) -> Any:
        return self.http.put(path, body, content_type=kwargs.pop("content_type", "application/json"), **kwargs)

    def get(self, path: str = "/xapi/statements", params: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        return self.http.get(path, params or {}, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.http.delete(path, **kwargs)


@pytest.fixture
def lrs(db: None) -> Lrs:
    issued = client_create(actor=None, name="test player")
    return Lrs(issued.client.key, issued.secret)


def statement(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "actor": {"objectType": "Agent", "name": "Ana", "mbox": "mailto:ana@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
        "object": {
            "objectType": "Activity",
            "id": "http://example.com/courses/1",
            "definition": {"name": {"en-US": "Course one"}},
        },
    }
    body.update(overrides)
    return body
