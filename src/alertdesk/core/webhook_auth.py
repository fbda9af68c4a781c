"""Webhook authentication: shared-secret header, HMAC-SHA256 signature, or ?token= query."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Literal

SECRET_HEADER = "x-alertdesk-secret"  # noqa: S105 (a header name)
SIGNATURE_HEADER = "x-alertdesk-signature"
AuthMethod = Literal["header", "signature", "token"]


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _same(a: str | None, b: str) -> bool:
    return a is not None and hmac.compare_digest(a.encode(), b.encode())


def authenticate(
    secret: str, headers: Mapping[str, str], query_token: str | None, body: bytes
) -> AuthMethod | None:
    """Which method proved the sender knows the secret (constant-time compares), else None.

    `headers` must be keyed in lower case. An empty secret authenticates nothing.
    """
    if not secret:
        return None
    if _same(headers.get(SECRET_HEADER), secret):
        return "header"
    signature = headers.get(SIGNATURE_HEADER)
    if signature is not None and _same(signature.strip().lower(), sign(secret, body)):
        return "signature"
    if _same(query_token, secret):
        return "token"
    return None
