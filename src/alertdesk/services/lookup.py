"""Tenant-scoped fetch-by-id: the one way services load a row someone named by id."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from alertdesk.errors import InvalidField, NotFound

T = TypeVar("T")


def get_owned(session: Session, model: type[T], tenant: uuid.UUID, row_id: uuid.UUID) -> T:
    """The row of this tenant with this id, else NotFound (another tenant's id looks unknown).
    By primary key (tenant, id): a row this session already holds costs no statement."""
    entity: Any = model
    row = session.get(model, (tenant, row_id))
    if row is None:
        raise NotFound(f"No such {entity.__tablename__.replace('_', ' ')}.")
    return row


def get_referenced(
    session: Session, model: type[T], tenant: uuid.UUID, row_id: uuid.UUID, field: str
) -> T:
    """Like get_owned, for an id inside a request body: an unknown id is a 422 on that field."""
    try:
        return get_owned(session, model, tenant, row_id)
    except NotFound as exc:
        raise InvalidField(field, exc.message) from exc
