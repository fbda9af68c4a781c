"""Hot-path statements run straight on the driver: compiled for PostgreSQL once, then each call
is psycopg's execute alone on the session's connection, in its transaction — no SQLAlchemy
compilation, cache key, events or result processing (most of a statement's client CPU).
Writes whose result nobody reads are deferred: sent with the connection's next statement (or
its COMMIT) in one round trip, so a delivery's writes cost the database one wake-up, not six."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

import psycopg
from psycopg.pq import TransactionStatus
from sqlalchemy import Connection, Engine, event
from sqlalchemy.dialects.postgresql.psycopg import dialect as psycopg_dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

_DIALECT = psycopg_dialect(dbapi=psycopg)  # type: ignore[no-untyped-call]
_DEFERRED = "alertdesk.deferred"  # in the connection's info: writes not sent yet, in order
Deferred = list[tuple[str, dict[str, Any]]]


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
        (autoflush, as a query through the session) and its deferred writes, in one round trip
        with them (and with the BEGIN of a new transaction); the cursor holds any rows."""
        if session.autoflush:
            session.flush()
        connection = session.connection()
        driver = _driver(connection)
        deferred: Deferred = connection.info.pop(_DEFERRED, [])
        values = self._values(params)
        cursor = driver.cursor()
        try:
            if deferred or driver.info.transaction_status == TransactionStatus.IDLE:
                with driver.pipeline():
                    _send(driver, deferred)
                    cursor.execute(self.sql, values)
            else:
                cursor.execute(self.sql, values)
        except psycopg.Error as exc:
            raise _translated(connection, cursor, self.sql, values, exc) from exc
        return cursor

    def defer(self, session: Session, params: Mapping[str, Any]) -> None:
        """A write whose result is not read: sent before the next statement on the session's
        connection (this module's or SQLAlchemy's), or with the COMMIT — in one round trip.
        Its errors are raised there; a rollback (to a savepoint too) discards it."""
        if session.autoflush:
            session.flush()  # the session's pending changes go first, as they would have
        connection = session.connection()
        connection.info.setdefault(_DEFERRED, []).append((self.sql, self._values(params)))
        session.info[_DEFERRED] = connection

    def _values(self, params: Mapping[str, Any]) -> dict[str, Any]:
        values = {**self._fixed, **params}
        for name, processor in self._processors.items():
            if name in params:
                values[name] = processor(params[name])
        return values


def send_deferred(session: Session) -> None:
    """Send the session's deferred writes now, so their errors are raised here."""
    _flush(session.connection())


def _driver(connection: Connection) -> psycopg.Connection[Any]:
    return connection.connection.driver_connection  # type: ignore[return-value]


def _send(driver: psycopg.Connection[Any], deferred: Deferred) -> None:
    if deferred:
        cursor = driver.cursor()
        for sql, values in deferred:
            cursor.execute(sql, values)


def _flush(connection: Connection, then: str | None = None) -> None:
    """The deferred writes (and `then`, a statement without parameters), in one round trip."""
    deferred: Deferred = connection.info.pop(_DEFERRED, [])
    if not deferred:
        return
    driver = _driver(connection)
    sql, values = deferred[-1]
    try:
        with driver.pipeline():
            _send(driver, deferred)
            if then is not None:
                driver.cursor().execute(then)
    except psycopg.Error as exc:
        raise _translated(connection, None, sql, values, exc) from exc


@event.listens_for(Engine, "before_cursor_execute")
def _before_statement(connection: Connection, *_: Any) -> None:
    if _DEFERRED in connection.info:
        _flush(connection)


@event.listens_for(Session, "before_commit")
def _before_release(session: Session) -> None:
    """A savepoint's writes are sent before its RELEASE, where the session can still roll
    back to it when one fails (a transaction's go with its COMMIT, below)."""
    connection = session.info.pop(_DEFERRED, None)
    if connection is not None and connection.in_nested_transaction():
        _flush(connection)


@event.listens_for(Engine, "commit")
def _before_commit(connection: Connection) -> None:
    """The deferred writes and the COMMIT in one round trip (the driver's commit that follows
    finds the transaction ended and sends nothing)."""
    _flush(connection, then="COMMIT")


@event.listens_for(Engine, "rollback")
@event.listens_for(Engine, "rollback_savepoint")
def _discard(connection: Connection, *_: Any) -> None:
    connection.info.pop(_DEFERRED, None)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_DEFERRED, None)


@event.listens_for(Pool, "reset")
def _discard_on_return(_driver: Any, record: Any, _state: Any) -> None:
    record.info.pop(_DEFERRED, None)


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
