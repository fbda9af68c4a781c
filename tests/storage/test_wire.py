"""Statements sent in one exchange (storage/wire.py): prepared once per connection and kept
through rollbacks, a refused statement named in its error, a prepare that never ran not
remembered, and a connection whose prepared statements were dropped recovering."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import String, Uuid, bindparam, select, text
from sqlalchemy.exc import DataError, IntegrityError, ProgrammingError
from sqlalchemy.orm import Session

from alertdesk.storage.database import Database
from alertdesk.storage.direct import Direct, send_deferred
from alertdesk.storage.migrate import upgrade
from alertdesk.storage.models import Event
from alertdesk.storage.rows import columns_of, insert_new

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
_COUNT = Direct(text("SELECT count(*) FROM event WHERE tenant = :tenant").bindparams(
    bindparam("tenant", type_=Uuid)))  # fmt: skip
_NUMBER = Direct(select(bindparam("n") + 1))
_TEXT = Direct(select(bindparam("text", type_=String)))
_EVENT = Direct(select(*columns_of(Event)).where(Event.id == bindparam("id", type_=Uuid)))


def _prepared(session: Session, sql: bytes) -> int:
    """How many times the connection holds `sql` prepared."""
    query = text("SELECT count(*) FROM pg_prepared_statements WHERE statement = :sql")
    return int(session.scalar(query, {"sql": sql.decode()}) or 0)


def _event(tenant: uuid.UUID, event_id: uuid.UUID | None = None) -> Event:
    return Event(tenant=tenant, id=event_id or uuid.uuid4(), type="TEST", created_at=NOW)


def test_a_statement_is_prepared_once_per_connection(session: Session) -> None:
    tenant = uuid.uuid4()
    for written in range(3):
        assert _COUNT.rows(session, {"tenant": tenant}) == [(written,)]
        insert_new(session, _event(tenant))
    assert _prepared(session, _COUNT.sql) == 1


def test_prepared_statements_outlive_a_rollback(session: Session) -> None:
    """psycopg's own preparing (off) would deallocate every statement at a ROLLBACK."""
    tenant = uuid.uuid4()

    def rolled_back() -> None:
        with session.begin_nested():
            assert _COUNT.rows(session, {"tenant": tenant}) == [(0,)]
            for _ in range(6):  # what psycopg would prepare (its threshold is 5 runs)
                session.execute(text("SELECT 1"))
            raise RuntimeError("rolled back to the savepoint")

    with pytest.raises(RuntimeError):
        rolled_back()
    assert _COUNT.rows(session, {"tenant": tenant}) == [(0,)]
    assert _prepared(session, _COUNT.sql) == 1


def test_each_parameter_type_has_its_statement(session: Session) -> None:
    """psycopg sends a small int as int2 and a big one as int8: two statements, both right."""
    assert _NUMBER.rows(session, {"n": 1}) == [(2,)]
    assert _NUMBER.rows(session, {"n": 2**40}) == [(2**40 + 1,)]
    assert _NUMBER.rows(session, {"n": 3}) == [(4,)]
    assert _prepared(session, _NUMBER.sql) == 2


def test_the_refused_statement_is_the_one_named(session: Session) -> None:
    tenant, taken = uuid.uuid4(), uuid.uuid4()
    insert_new(session, _event(tenant, taken))
    send_deferred(session)

    def refused() -> None:
        with session.begin_nested():
            insert_new(session, _event(tenant))
            insert_new(session, _event(tenant, taken))  # the second write is refused
            _COUNT.rows(session, {"tenant": tenant})

    with pytest.raises(IntegrityError) as raised:
        refused()
    assert raised.value.statement is not None
    assert raised.value.statement.startswith("INSERT INTO event")
    assert _COUNT.rows(session, {"tenant": tenant}) == [(1,)]


def test_a_value_the_driver_cannot_send_is_its_statement_s_data_error(session: Session) -> None:
    """psycopg refuses a NUL in text before anything is sent: the error names that statement,
    and the connection goes on working (nothing half-queued is left on it)."""
    tenant = uuid.uuid4()
    insert_new(session, _event(tenant))
    send_deferred(session)

    def refused() -> None:
        with session.begin_nested():
            insert_new(session, _event(tenant))  # deferred: would go in the same write
            _TEXT.rows(session, {"text": "a\x00b"})

    with pytest.raises(DataError) as raised:
        refused()
    assert raised.value.statement == _TEXT.sql.decode()
    assert _COUNT.rows(session, {"tenant": tenant}) == [(1,)]
    assert _TEXT.rows(session, {"text": "ab"}) == [("ab",)]


def test_a_prepare_after_a_refused_statement_is_not_remembered(session: Session) -> None:
    """The server skips what follows an error until the sync: a statement first seen there
    was never prepared, and is prepared when it next runs."""
    tenant, taken = uuid.uuid4(), uuid.uuid4()
    insert_new(session, _event(tenant, taken))
    send_deferred(session)
    never_run = Direct(text("SELECT count(*) + 0 FROM event WHERE tenant = :tenant").bindparams(
        bindparam("tenant", type_=Uuid)))  # fmt: skip

    def refused() -> None:
        with session.begin_nested():
            insert_new(session, _event(tenant, taken))
            never_run.rows(session, {"tenant": tenant})

    with pytest.raises(IntegrityError):
        refused()
    assert never_run.rows(session, {"tenant": tenant}) == [(1,)]


@pytest.fixture(scope="module")
def own(make_database: Callable[[], str]) -> Iterator[Database]:
    """Committed transactions on one pooled connection: a database of its own."""
    database = Database.from_url(make_database(), pool_size=1, max_overflow=0)
    upgrade(database.engine)
    yield database
    database.dispose()


def test_a_statement_begins_the_transaction_it_is_the_first_of(own: Database) -> None:
    tenant = uuid.uuid4()

    def rolled_back() -> None:
        with own.transaction() as session:
            insert_new(session, _event(tenant))
            assert _COUNT.rows(session, {"tenant": tenant}) == [(1,)]  # BEGIN sent with them
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        rolled_back()
    with own.transaction() as session:
        assert _COUNT.rows(session, {"tenant": tenant}) == [(0,)]


def test_dropped_prepared_statements_fail_one_transaction_then_are_prepared_again(
    own: Database,
) -> None:
    tenant = uuid.uuid4()
    with own.transaction() as session:
        assert _COUNT.rows(session, {"tenant": tenant}) == [(0,)]
        session.execute(text("DEALLOCATE ALL"))  # as a pooler or an operator might
    with pytest.raises(ProgrammingError), own.transaction() as session:
        _COUNT.rows(session, {"tenant": tenant})
    with own.transaction() as session:
        assert _COUNT.rows(session, {"tenant": tenant}) == [(0,)]
