import base64
import hashlib
import json
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


def attachment_declaration(content: bytes, **more: Any) -> dict[str, Any]:
    """How a statement declares `content` as an attachment (text/plain)."""
    return {
        "usageType": "http://example.com/certificate",
        "display": {"en-US": "certificate"},
        "contentType": "text/plain",
        "length": len(content),
        "sha2": hashlib.sha256(content).hexdigest(),
        **more,
    }


def post_with_attachment(lrs: Lrs, body: dict[str, Any], content: bytes) -> Any:
    """POST one statement with `content` as a multipart/mixed attachment part."""
    boundary = "xyzzy"
    payload = (
        (
            f"--{boundary}\r\nContent-Type: application/json\r\n\r\n{json.dumps(body)}\r\n"
            f"--{boundary}\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\n"
            f"X-Experience-API-Hash: {hashlib.sha256(content).hexdigest()}\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return lrs.post(payload, content_type=f'multipart/mixed; boundary="{boundary}"')
