"""The Database handle: engine + session factory, on the configured or embedded PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from alertdesk.settings import Settings
from alertdesk.storage.embedded import sqlalchemy_url, start_embedded

POOL_RECYCLE_SECONDS = 1800
# 16 kept + 16 in a burst: concurrent webhooks reuse connections (the default 5 kept + 10
# opened and closed one per request); beyond 32 at once a request waits for a free one
POOL_SIZE, POOL_OVERFLOW = 16, 16


@dataclass
class Database:
    """Owns the engine; `transaction()` opens one unit of work that commits at the edge.

    Sessions run in UTC, so times read back carry +00:00 (the API promises UTC output).
    """

    engine: Engine
    sessions: sessionmaker[Session]
    _embedded: Any = field(default=None, repr=False)

    @classmethod
    def from_url(cls, url: str, *, embedded: Any = None, **engine_args: Any) -> Database:
        engine_args.setdefault("connect_args", {}).setdefault("options", "-c timezone=UTC")
        # no ping per checkout (a round trip per transaction): a connection the server dropped
        # fails once (503, retried by the caller) and the pool is then renewed
        engine_args.setdefault("pool_recycle", POOL_RECYCLE_SECONDS)
        engine_args.setdefault("pool_size", POOL_SIZE)
        engine_args.setdefault("max_overflow", POOL_OVERFLOW)
        engine = create_engine(sqlalchemy_url(url), **engine_args)
        return cls(engine, sessionmaker(engine, expire_on_commit=False), embedded)

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        if settings.database_url:
            return cls.from_url(settings.database_url)
        url, server = start_embedded(settings.data_dir)
        return cls.from_url(url, embedded=server)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on error."""
        with self.sessions() as session, session.begin():
            yield session

    def is_ready(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("select 1"))
        except Exception:
            return False
        return True

    def dispose(self) -> None:
        self.engine.dispose()
        if self._embedded is not None:
            self._embedded.cleanup()
            self._embedded = None


_MEMORY = "alertdesk.memory"
T = TypeVar("T")


def transaction_memory(session: Session, name: str) -> dict[Any, Any]:
    """A dict kept for the session's transaction, forgotten when it ends: what a statement
    read once and the rest of the transaction reuses (the deliveries taken together in it,
    the events of an outbox batch)."""
    memory: dict[str, dict[Any, Any]] = session.info.setdefault(_MEMORY, {})
    return memory.setdefault(name, {})


def read_once(session: Session, name: str, key: Hashable, read: Callable[[], T]) -> T:
    """`read()` the first time `key` is asked for under `name` in the session's transaction;
    what it returned, after (in `transaction_memory`)."""
    known = transaction_memory(session, name)
    if key not in known:
        known[key] = read()
    return cast(T, known[key])


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the session's own transaction, not a savepoint
        session.info.pop(_MEMORY, None)


def refusal_reason(exc: BaseException, limit: int = 200) -> str:
    """The first line of what the database (or its driver) said, for a log or an answer."""
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return lines[0][:limit] if lines else "no reason given"
