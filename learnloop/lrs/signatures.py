"""Signed statements (xAPI 1.0.3 section 2.6): a JWS attachment whose payload must match the statement."""

from __future__ import annotations

import base64
import json
from typing import Any

from learnloop.lrs.http import SIGNATURE_USAGE, LrsError
from learnloop.lrs.validation import comparable_statement

ALLOWED_ALGORITHMS = ("RS256", "RS384", "RS512")


def _b64decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _comparable(statement: dict[str, Any]) -> dict[str, Any]:
    return comparable_statement(statement, ("id", "authority", "stored", "timestamp", "version", "attachments"))


def verify_signed_statements(statements: list[Any], attachments: dict[str, tuple[str, bytes]]) -> None:
    """Reject a signature attachment that is not a well-formed RS* JWS of this very statement."""
    for statement in statements:
        if not isinstance(statement, dict):
            continue
        declared = statement.get("attachments")
        if not isinstance(declared, list):
            continue  # not yet validated: the validator rejects it with the property's path
        for attachment in declared:
            if not isinstance(attachment, dict) or attachment.get("usageType") != SIGNATURE_USAGE:
                continue
            if attachment.get("contentType") != "application/octet-stream":
                raise LrsError(400, "a signature attachment must have contentType application/octet-stream")
            part = attachments.get(str(attachment.get("sha2", "")))
            if part is None:
                raise LrsError(400, "the signature attachment's content was not sent")
            _check_jws(part[1], statement)


def _check_jws(token: bytes, statement: dict[str, Any]) -> None:
    try:
        header_b64, payload_b64, signature_b64 = token.decode("ascii").strip().split(".")
        header = json.loads(_b64decode(header_b64))
        payload = json.loads(_b64decode(payload_b64))
        _b64decode(signature_b64)
    except (ValueError, UnicodeDecodeError) as exc:
        raise LrsError(400, "the signature is not a JWS in compact serialization") from exc
    if header.get("alg") not in ALLOWED_ALGORITHMS:
        raise LrsError(400, f"the signature must use one of {', '.join(ALLOWED_ALGORITHMS)}")
    if not isinstance(payload, dict) or _comparable(payload) != _comparable(statement):
        raise LrsError(400, "the signed payload does not match the statement")
    _verify_with_certificate(header, token)


def _verify_with_certificate(header: dict[str, Any], token: bytes) -> None:
    """With an x5c chain, check the signature against its first certificate's public key."""
    chain = header.get("x5c")
    if not chain:
        return
    import jwt  # PyJWT, with the cryptography backend

    try:
        from cryptography import x509

        certificate = x509.load_der_x509_certificate(base64.b64decode(chain[0]))
        public_key: Any = certificate.public_key()
        jwt.decode(
            token,
            key=public_key,
            algorithms=list(ALLOWED_ALGORITHMS),
            options={"verify_aud": False, "verify_exp": False, "verify_iat": False, "verify_nbf": False},
        )
    except Exception as exc:
        raise LrsError(400, "the signature does not verify against its x5c certificate") from exc
