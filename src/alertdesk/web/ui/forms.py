"""Reading ids out of HTML forms: "" means none; anything else must be a real id (else 422)."""

from __future__ import annotations

import uuid

from alertdesk.errors import InvalidField


def form_id(value: str, field: str) -> uuid.UUID | None:
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise InvalidField(field, f"{field} is not a valid id.") from exc
