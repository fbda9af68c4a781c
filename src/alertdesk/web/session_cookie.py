"""The UI session cookie: signed and timestamped, naming tenant, user, session row and CSRF token.

The signature proves who issued it; the session row (checked per request) whether it still holds.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE_NAME = "alertdesk_session"


@dataclass(frozen=True)
class UiSession:
    tenant: uuid.UUID
    user_id: uuid.UUID
    session_id: uuid.UUID
    csrf_token: str


class SessionCodec:
    def __init__(self, secret_key: str, max_age_seconds: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt="alertdesk-ui-session")
        self.max_age_seconds = max_age_seconds

    def issue(
        self, tenant: uuid.UUID, user_id: uuid.UUID, session_id: uuid.UUID
    ) -> tuple[str, UiSession]:
        session = UiSession(tenant, user_id, session_id, secrets.token_urlsafe(32))
        value = self._serializer.dumps(
            [tenant.hex, user_id.hex, session_id.hex, session.csrf_token]
        )
        return value, session

    def read(self, value: str | None) -> UiSession | None:
        """The session in a cookie value, or None when absent, tampered with, expired or old."""
        if not value:
            return None
        try:
            tenant, user_id, session_id, csrf = self._serializer.loads(
                value, max_age=self.max_age_seconds
            )
            ids = (uuid.UUID(hex=tenant), uuid.UUID(hex=user_id), uuid.UUID(hex=session_id))
            return UiSession(*ids, str(csrf))
        except (BadSignature, ValueError, TypeError):
            return None
