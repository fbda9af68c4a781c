"""Model instances in and out of the database without the ORM's unit of work and loading (on
the ingest path they cost several times the statement): new rows written with an INSERT run
straight on the driver (storage/direct.py, deferred), and rows read that way made instances."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, TypeVar, cast

from sqlalchemy import ColumnDefault, Table, insert, inspect
from sqlalchemy.orm import ColumnProperty, Session, make_transient_to_detached

from alertdesk.storage.direct import Direct
from alertdesk.storage.models.base import Base

M = TypeVar("M", bound=Base)


def insert_new(session: Session, row: Base) -> None:
    """INSERT the attributes set on `row` (a new instance, never added to the session; column
    defaults fill the rest), deferred: sent with the next statement or the commit. It stays
    transient: later changes to it are not written."""
    columns = _columns(type(row))
    values = {columns[key]: value for key, value in inspect(row).dict.items() if key in columns}
    statement, defaults = _insert(type(row), frozenset(values))
    for key, default in defaults:
        values[key] = default.arg if default.is_scalar else default.arg(None)
    statement.defer(session, values)


def new_row(model: type[M], **values: Any) -> M:
    """A new instance holding these attributes, like `model(**values)` but built directly: the
    constructor's instrumented sets (an attribute event each) cost more than the row's INSERT
    on the ingest path. Later changes to it go through the instrumentation as usual."""
    unknown = values.keys() - _columns(model).keys()
    if unknown:
        raise TypeError(f"{model.__name__} has no column attribute {sorted(unknown)[0]!r}")
    row = cast(M, inspect(model).class_manager.new_instance())
    row.__dict__.update(values)
    return row


@functools.cache
def _columns(model: type[Base]) -> dict[str, str]:
    """Attribute name → column key of a mapped class (they differ where a column is renamed)."""
    props: list[ColumnProperty[object]] = list(inspect(model).column_attrs)
    return {prop.key: prop.columns[0].key for prop in props}


@functools.cache
def _insert(
    model: type[Base], given: frozenset[str]
) -> tuple[Direct, list[tuple[str, ColumnDefault]]]:
    """The INSERT of the given columns; the compiled statement adds a parameter for each other
    column with a Python-side default, filled per row from these defaults."""
    defaults = [
        (column.key, column.default)
        for column in _table(model).columns
        if column.key not in given
        and isinstance(column.default, ColumnDefault)
        and (column.default.is_scalar or column.default.is_callable)
    ]
    return Direct(insert(_table(model)), column_keys=sorted(given)), defaults


def columns_of(model: type[Base]) -> list[Any]:
    """Every column of the model's table, in order: select them and hand each row (in that
    order) to `detached` or `persistent`."""
    return list(_table(model).columns)


def detached(model: type[M], values: Sequence[Any]) -> M:
    """The instance a query would have loaded from this row (the values of `columns_of`), not
    in a session: to read. Built directly (the ORM's loading costs several times as much)."""
    row = cast(M, inspect(model).class_manager.new_instance())
    row.__dict__.update(zip(_attributes(model), values, strict=True))  # as loading sets them
    make_transient_to_detached(row)  # no history: nothing to write until changed
    return row


def persistent(session: Session, model: type[M], values: Sequence[Any]) -> M:
    """As `detached`, in the session: changes to it are flushed like any loaded instance's.
    An instance of that row the session already holds is returned instead (as a query would)."""
    key = inspect(model).identity_key_from_primary_key(tuple(values[i] for i in _primary(model)))
    held = session.identity_map.get(key)
    if held is not None:
        return cast(M, held)
    row = detached(model, values)
    session.add(row)
    return row


def _table(model: type[Base]) -> Table:
    table = inspect(model).local_table
    assert isinstance(table, Table)
    return table


@functools.cache
def _attributes(model: type[Base]) -> list[str]:
    """Attribute name of each column of `columns_of`, by position."""
    by_column = {column: key for key, column in _columns(model).items()}
    return [by_column[column.key] for column in _table(model).columns]


@functools.cache
def _primary(model: type[Base]) -> list[int]:
    """Positions in `columns_of` of the primary key's columns, in the mapper's order."""
    keys = [column.key for column in _table(model).columns]
    return [keys.index(str(column.key)) for column in inspect(model).primary_key]
