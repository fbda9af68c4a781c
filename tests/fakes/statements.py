"""Capture the SQL a connection runs: for statement budgets and single-shard checks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine.interfaces import CacheStats

from alertdesk.storage.wire import TRACE


def _recording(seen: list[str]) -> type[psycopg.Cursor[Any]]:
    class Recording(psycopg.Cursor[Any]):
        def execute(self, query: Any, *args: Any, **kwargs: Any) -> Any:
            seen.append(" ".join(str(query).split()))
            return super().execute(query, *args, **kwargs)

        def executemany(self, query: Any, *args: Any, **kwargs: Any) -> Any:
            seen.append(" ".join(str(query).split()))
            return super().executemany(query, *args, **kwargs)

    return Recording


@contextmanager
def statements(connection: Connection) -> Iterator[list[str]]:
    """The SQL text (whitespace folded) of every statement the driver runs on `connection` in
    the block: SQLAlchemy's and those run straight on the driver (storage/direct.py)."""
    seen: list[str] = []
    recording = _recording(seen)
    driver = connection.connection.dbapi_connection
    assert isinstance(driver, psycopg.Connection)
    before = driver.cursor_factory
    driver.cursor_factory = recording
    info = connection.info  # the connection may be closed by the end of the block
    info[TRACE] = seen
    try:
        yield seen
    finally:
        driver.cursor_factory = before
        info.pop(TRACE, None)


@contextmanager
def compilations(connection: Connection) -> Iterator[list[str]]:
    """The statements run through SQLAlchemy on `connection` in the block that it compiled to
    SQL then, instead of taking them from its cache (a compilation costs far more than the
    statement). Those run straight on the driver are compiled once, at import."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, sql: str, _params: Any, context: Any, *_: Any) -> None:
        if getattr(context, "cache_hit", None) is not CacheStats.CACHE_HIT:
            seen.append(" ".join(sql.split()))

    event.listen(connection, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", record)


@contextmanager
def engine_statements(engine: Engine) -> Iterator[list[str]]:
    """As `statements`, on every connection `engine` hands out during the block."""
    seen: list[str] = []
    recording = _recording(seen)

    def record(driver: Any, entry: Any, *_: Any) -> None:
        driver.cursor_factory = recording
        entry.info[TRACE] = seen

    def stop(driver: Any, entry: Any) -> None:
        driver.cursor_factory = psycopg.Cursor
        entry.info.pop(TRACE, None)

    event.listen(engine, "checkout", record)
    event.listen(engine, "checkin", stop)
    try:
        yield seen
    finally:
        event.remove(engine, "checkout", record)
        event.remove(engine, "checkin", stop)


@contextmanager
def round_trips(connection: Connection) -> Iterator[list[int]]:
    """How many times the driver waits for the server on `connection` in the block (a list of
    one count): each exchange of statements sent together is one."""
    count = [0]
    driver = connection.connection.dbapi_connection
    assert isinstance(driver, psycopg.Connection)
    waiting = driver.wait

    def counted(*args: Any, **kwargs: Any) -> Any:
        count[0] += 1
        return waiting(*args, **kwargs)

    driver.wait = counted
    try:
        yield count
    finally:
        del driver.wait
