"""Capture the SQL a connection runs: for statement budgets and single-shard checks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.engine.interfaces import CacheStats


@contextmanager
def statements(connection: Connection) -> Iterator[list[str]]:
    """The SQL text (whitespace folded) of every statement run on `connection` in the block."""
    with _captured(connection, lambda _context: True) as seen:
        yield seen


@contextmanager
def compilations(connection: Connection) -> Iterator[list[str]]:
    """The statements run on `connection` in the block that SQLAlchemy compiled to SQL then,
    instead of taking them from its cache (a compilation costs far more than the statement)."""
    with _captured(connection, _compiled) as seen:
        yield seen


def _compiled(context: Any) -> bool:
    return getattr(context, "cache_hit", None) is not CacheStats.CACHE_HIT


@contextmanager
def _captured(connection: Connection, wanted: Callable[[Any], bool]) -> Iterator[list[str]]:
    """The SQL of the statements whose execution context is `wanted`."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, sql: str, _params: Any, context: Any, *_: Any) -> None:
        if wanted(context):
            seen.append(" ".join(sql.split()))

    event.listen(connection, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", record)
