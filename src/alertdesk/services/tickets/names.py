"""Name checks shared by the reference data (clients, assets, boards, priorities): required,
within its column, and unique per tenant ignoring case."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alertdesk.errors import InvalidField


def required_text(value: str, field: str, what: str, max_length: int) -> str:
    """A required name: trimmed, not empty, not longer than its column."""
    value = value.strip()
    if not value:
        raise InvalidField(field, f"The {what} must not be empty.")
    if len(value) > max_length:
        raise InvalidField(field, f"The {what} may have at most {max_length} characters.")
    return value


def name_taken(
    session: Session, model: Any, tenant: uuid.UUID, name: str, but: uuid.UUID | None
) -> bool:
    """Whether another row of this tenant has this name, ignoring case."""
    query = select(model.id).where(model.tenant == tenant, func.lower(model.name) == name.lower())
    if but is not None:
        query = query.where(model.id != but)
    return session.scalar(query.limit(1)) is not None
