"""Capture the SQL a connection runs: for statement budgets and single-shard checks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.engine.interfaces import CacheStats


@contextmanager
def statements(connection: Connection) -> Iterator[list[str]]:
    """The SQL text (whitespace folded) of every statement run on `connection` in the block."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        seen.append(" ".join(sql.split()))

    event.listen(connection, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", record)


@contextmanager
def compilations(connection: Connection) -> Iterator[list[str]]:
    """The statements run on `connection` in the block that SQLAlchemy compiled to SQL then,
    instead of taking them from its cache (a compilation costs far more than the statement)."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, sql: str, _params: Any, context: Any, *_: Any) -> None:
        if getattr(context, "cache_hit", None) is not CacheStats.CACHE_HIT:
            seen.append(" ".join(sql.split()))

    event.listen(connection, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", record)
