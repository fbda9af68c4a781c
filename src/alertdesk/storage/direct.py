"""Hot-path statements run straight on the driver: compiled for PostgreSQL once, then each call
is one exchange on the session's connection (storage/wire.py), in its transaction — no
SQLAlchemy compilation, cache key, events or result processing (most of a statement's client
CPU). Writes whose result nobody reads are deferred: sent with the connection's next statement
(or its COMMIT) in one write and one round trip, so a delivery's writes cost the database one
wake-up, not six."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import psycopg
from psycopg.pq.abc import PGresult
from sqlalchemy import Connection, Engine, event
from sqlalchemy.dialects.postgresql.psycopg import dialect as psycopg_dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from alertdesk.storage import wire
from alertdesk.storage.wire import Statement

# PostgreSQL's own placeholders ($1…): what the server is sent, with no conversion per call
_DIALECT = psycopg_dialect(dbapi=psycopg, paramstyle="numeric_dollar")  # type: ignore[no-untyped-call]
_DEFERRED = "alertdesk.deferred"  # in the connection's info: writes not sent yet, in order
_CONNECTION = "alertdesk.connection"  # in the session's info: its transaction's connection
Row = tuple[Any, ...]


class Direct:
    """A statement built once (Core or text, bound parameters only); rows come back as the
    driver reads them (uuid, datetime, dict for JSON)."""

    __slots__ = ("_fixed", "_names", "_processors", "sql")

    def __init__(self, statement: ClauseElement, column_keys: list[str] | None = None) -> None:
        compiled = cast(SQLCompiler, statement.compile(dialect=_DIALECT, column_keys=column_keys))
        self.sql: bytes = compiled.string.encode()
        binds = {name: compiled.binds[name] for name in compiled.positiontup or ()}
        # per parameter in order: its name, given per call or a value the statement carries
        # itself (a literal such as a channel name); and the positions whose values are
        # processed (JSON is dumped by SQLAlchemy's; the driver takes the other types as
        # they are)
        self._names = tuple(binds)
        self._fixed: dict[int, Any] = {}
        self._processors: list[tuple[int, Callable[[Any], Any]]] = []
        for position, bind in enumerate(binds.values()):
            processor = bind.type.dialect_impl(_DIALECT).bind_processor(_DIALECT)
            if processor is not None:
                self._processors.append((position, processor))
            if not bind.required:
                self._fixed[position] = bind.effective_value

    def rows(self, session: Session, params: Mapping[str, Any]) -> list[Row]:
        """Run on the connection of the session's transaction, after its pending changes
        (autoflush, as a query through the session) and its deferred writes, in one round trip
        with them (and with the BEGIN of a new transaction); its rows."""
        if session.autoflush:
            session.flush()
        connection = _connection(session)
        deferred: list[Statement] = connection.info.pop(_DEFERRED, [])
        answers = _exchange(connection, [*deferred, self._statement(params)])
        return wire.rows(_driver(connection), connection.info, answers[-1])

    def row(self, session: Session, params: Mapping[str, Any]) -> Row | None:
        """The first row (as `rows`), None when there is none."""
        found = self.rows(session, params)
        return found[0] if found else None

    def defer(self, session: Session, params: Mapping[str, Any]) -> None:
        """A write whose result is not read: sent before the next statement on the session's
        connection (this module's or SQLAlchemy's), or with the COMMIT — in one round trip.
        Its errors are raised there; a rollback (to a savepoint too) discards it."""
        if session.autoflush:
            session.flush()  # the session's pending changes go first, as they would have
        connection = _connection(session)
        connection.info.setdefault(_DEFERRED, []).append(self._statement(params))
        session.info[_DEFERRED] = connection

    def _statement(self, params: Mapping[str, Any]) -> Statement:
        fixed = self._fixed
        values = [params[name] if name in params else fixed[position]
                  for position, name in enumerate(self._names)]  # fmt: skip
        for position, processor in self._processors:
            values[position] = processor(values[position])
        return self.sql, values


def _connection(session: Session) -> Connection:
    """The connection of the session's transaction, asked of the session once per transaction
    or savepoint (its bookkeeping costs more than a statement's own Python; a savepoint's
    SAVEPOINT is sent by the first asking)."""
    connection: Connection | None = session.info.get(_CONNECTION)
    if connection is None:
        connection = session.info[_CONNECTION] = session.connection()
    return connection


@event.listens_for(Session, "after_transaction_create")
@event.listens_for(Session, "after_transaction_end")
def _ask_again(session: Session, _transaction: Any) -> None:
    session.info.pop(_CONNECTION, None)


def send_deferred(session: Session) -> None:
    """Send the session's deferred writes now, so their errors are raised here."""
    _flush(session.connection())


def _driver(connection: Connection) -> psycopg.Connection[Any]:
    return connection.connection.driver_connection  # type: ignore[return-value]


def _exchange(
    connection: Connection, statements: Sequence[Statement], then: bytes | None = None
) -> list[PGresult]:
    try:
        return wire.exchange(_driver(connection), connection.info, statements, then)
    except wire.Refused as refused:
        index = refused.index
        sql, values = statements[index] if 0 <= index < len(statements) else (then or b"", [])
        raise _translated(connection, refused.error, sql, values) from refused.error
    except psycopg.Error as exc:
        sql, values = statements[-1] if statements else (then or b"", [])
        raise _translated(connection, exc, sql, values) from exc


def _flush(connection: Connection, then: bytes | None = None) -> None:
    """The deferred writes (and `then`, a statement without parameters), in one round trip."""
    deferred: list[Statement] = connection.info.pop(_DEFERRED, [])
    if deferred:
        _exchange(connection, deferred, then)


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
    _flush(connection, then=b"COMMIT")


@event.listens_for(Engine, "rollback")
@event.listens_for(Engine, "rollback_savepoint")
def _discard(connection: Connection, *_: Any) -> None:
    connection.info.pop(_DEFERRED, None)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_DEFERRED, None)


@event.listens_for(Pool, "connect")
def _one_preparer(driver: Any, _record: Any) -> None:
    """Statements are prepared by storage/wire.py alone: psycopg's own preparing deallocates
    every prepared statement of the connection at each ROLLBACK (wire's too)."""
    if isinstance(driver, psycopg.Connection):
        driver.prepare_threshold = None


@event.listens_for(Pool, "reset")
def _discard_on_return(_driver: Any, record: Any, _state: Any) -> None:
    record.info.pop(_DEFERRED, None)


def _translated(
    connection: Connection, exc: psycopg.Error, sql: bytes, values: Sequence[Any]
) -> Exception:
    """The error as SQLAlchemy raises it for the same failure (OperationalError, DataError,
    IntegrityError…). A connection the server dropped is discarded and the pool renewed, as
    SQLAlchemy does: the next transaction gets a live connection."""
    driver = connection.connection.dbapi_connection
    dropped = bool(_DIALECT.is_disconnect(exc, driver, None))  # type: ignore[no-untyped-call]
    error = DBAPIError.instance(
        sql.decode(), list(values), exc, psycopg.Error, connection_invalidated=dropped,
        dialect=_DIALECT,
    )  # fmt: skip
    assert isinstance(error, Exception)
    if dropped:
        connection.invalidate(error)
        connection.engine.dispose(close=False)
    return error
