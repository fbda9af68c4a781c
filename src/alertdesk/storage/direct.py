"""Hot-path statements run straight on the driver: compiled for PostgreSQL once, then each call
is psycopg's execute alone on the session's connection, in its transaction — no SQLAlchemy
compilation, cache key, events or result processing (most of a statement's client CPU)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

import psycopg
from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql.psycopg import dialect as psycopg_dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

_DIALECT = psycopg_dialect(dbapi=psycopg)  # type: ignore[no-untyped-call]


class Direct:
    """A statement built once (Core or text, bound parameters only); rows come back as the
    driver reads them (uuid, datetime, dict for JSON)."""

    __slots__ = ("_fixed", "_processors", "sql")

    def __init__(self, statement: ClauseElement, column_keys: list[str] | None = None) -> None:
        compiled = cast(SQLCompiler, statement.compile(dialect=_DIALECT, column_keys=column_keys))
        self.sql: str = compiled.string
        # only the types the driver does not take as they are (JSON): dumped by SQLAlchemy's
        self._processors: dict[str, Callable[[Any], Any]] = {
            name: processor
            for name, bind in compiled.binds.items()
            if (processor := bind.type.dialect_impl(_DIALECT).bind_processor(_DIALECT))
        }
        # values the statement carries itself (literals such as a channel name)
        self._fixed = {
            name: self._processors.get(name, _same)(bind.effective_value)
            for name, bind in compiled.binds.items()
            if not bind.required
        }

    def execute(self, session: Session, params: Mapping[str, Any]) -> psycopg.Cursor[Any]:
        """Run on the connection of the session's transaction, after its pending changes
        (autoflush, as a query through the session); the cursor holds any rows."""
        if session.autoflush:
            session.flush()
        values = {**self._fixed, **params}
        for name, processor in self._processors.items():
            if name in params:
                values[name] = processor(params[name])
        connection = session.connection()
        cursor: psycopg.Cursor[Any] = connection.connection.cursor()  # type: ignore[assignment]
        try:
            cursor.execute(self.sql, values)
        except psycopg.Error as exc:
            raise _translated(connection, cursor, self.sql, values, exc) from exc
        return cursor


def _same(value: Any) -> Any:
    return value


def _translated(
    connection: Connection, cursor: Any, sql: str, values: dict[str, Any], exc: psycopg.Error
) -> Exception:
    """The error as SQLAlchemy raises it for the same failure (OperationalError, DataError,
    IntegrityError…). A connection the server dropped is discarded and the pool renewed, as
    SQLAlchemy does: the next transaction gets a live connection."""
    driver = connection.connection.dbapi_connection
    dropped = bool(_DIALECT.is_disconnect(exc, driver, cursor))  # type: ignore[no-untyped-call]
    error = DBAPIError.instance(
        sql, values, exc, psycopg.Error, connection_invalidated=dropped, dialect=_DIALECT
    )
    assert isinstance(error, Exception)
    if dropped:
        connection.invalidate(error)
        connection.engine.dispose(close=False)
    return error
