"""New rows written at once with a Core INSERT from a model instance: on the ingest path the
ORM's unit of work costs several times the statement itself."""

from __future__ import annotations

import functools

from sqlalchemy import Insert, Table, insert, inspect
from sqlalchemy.orm import ColumnProperty, Session

from alertdesk.storage.models.base import Base


def insert_new(session: Session, row: Base) -> None:
    """INSERT the attributes set on `row` (a new instance, never added to the session; column
    defaults fill the rest). It stays transient: later changes to it are not written."""
    columns = _columns(type(row))
    values = {columns[key]: value for key, value in inspect(row).dict.items() if key in columns}
    session.connection().execute(_statement(type(row)), values)


@functools.cache
def _columns(model: type[Base]) -> dict[str, str]:
    """Attribute name → column key of a mapped class (they differ where a column is renamed)."""
    props: list[ColumnProperty[object]] = list(inspect(model).column_attrs)
    return {prop.key: prop.columns[0].key for prop in props}


@functools.cache
def _statement(model: type[Base]) -> Insert:
    table = inspect(model).local_table
    assert isinstance(table, Table)
    return insert(table)
