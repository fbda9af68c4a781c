"""Statements run straight on the driver (storage/direct.py) and the rows they make instances
(storage/rows.py): the same values, errors and session behaviour as through SQLAlchemy."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import psycopg
import pytest
from sqlalchemy import Uuid, bindparam, inspect, literal, select, text
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from alertdesk.storage.database import Database
from alertdesk.storage.direct import Direct
from alertdesk.storage.migrate import upgrade
from alertdesk.storage.models import Event
from alertdesk.storage.rows import columns_of, detached, insert_new, persistent

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
_EVENT = Direct(
    select(*columns_of(Event)).where(
        Event.tenant == bindparam("tenant", type_=Uuid), Event.id == bindparam("id", type_=Uuid)
    )
)


def _new_event(session: Session, **values: object) -> Event:
    event = Event(tenant=uuid.uuid4(), id=uuid.uuid4(), type="TEST", created_at=NOW, **values)
    insert_new(session, event)
    return event


def _read(session: Session, event: Event) -> tuple[object, ...]:
    with _EVENT.execute(session, {"tenant": event.tenant, "id": event.id}) as cursor:
        row = cursor.fetchone()
    assert row is not None
    return tuple(row)


def _type_of(row: tuple[object, ...]) -> object:
    return row[columns_of(Event).index(Event.__table__.c.type)]


@pytest.mark.parametrize(
    "payload",
    [{}, {"a": 1, "nested": {"list": [1, "two", None]}}, {"text": "ünïcode ✓", "big": 2**62}],
)
def test_a_row_written_and_read_straight_keeps_its_values(
    session: Session, payload: dict[str, object]
) -> None:
    event = _new_event(session, payload=payload)
    read = detached(Event, _read(session, event))
    assert (read.tenant, read.id, read.type, read.payload) == (
        event.tenant, event.id, "TEST", payload,
    )  # fmt: skip
    assert read.created_at == NOW
    assert read.delivered_at is None
    assert inspect(read).detached  # not in the session, every column loaded
    orm = session.scalars(select(Event).where(Event.id == event.id)).one()
    assert (orm.payload, orm.created_at) == (payload, NOW)  # what the ORM reads back


def test_python_defaults_fill_the_columns_a_new_row_does_not_set(session: Session) -> None:
    event = _new_event(session)  # payload has a Python default (dict) and is not set
    assert detached(Event, _read(session, event)).payload == {}


def test_a_statement_carries_its_own_literals(session: Session) -> None:
    channel = Direct(select(literal("alertdesk") + bindparam("suffix")))
    with channel.execute(session, {"suffix": "-x"}) as cursor:
        assert cursor.fetchone() == ("alertdesk-x",)


def test_persistent_is_the_session_s_instance_and_its_changes_are_flushed(
    session: Session,
) -> None:
    event = _new_event(session)
    row = _read(session, event)
    loaded = persistent(session, Event, row)
    assert persistent(session, Event, row) is loaded  # the identity map's, as a query gives
    assert session.get(Event, (event.tenant, event.id)) is loaded
    loaded.delivered_at = NOW
    session.flush()
    assert detached(Event, _read(session, event)).delivered_at == NOW


def test_pending_changes_are_flushed_first_unless_autoflush_is_off(session: Session) -> None:
    event = _new_event(session)
    loaded = persistent(session, Event, _read(session, event))
    loaded.type = "CHANGED"
    with session.no_autoflush:
        assert _type_of(_read(session, event)) == "TEST"
    assert _type_of(_read(session, event)) == "CHANGED"


def test_errors_are_sqlalchemy_s(session: Session) -> None:
    event = _new_event(session)
    with pytest.raises(IntegrityError), session.begin_nested():
        insert_new(session, Event(tenant=event.tenant, id=event.id, type="again"))
    with pytest.raises(DataError), session.begin_nested():
        _new_event(session, payload={"nul": "a\x00b"})  # PostgreSQL stores no NUL in text


@pytest.fixture(scope="module")
def own(make_database: Callable[[], str]) -> Iterator[tuple[Database, str]]:
    """Committed transactions and a connection the server drops: a database of its own."""
    url = make_database()
    database = Database.from_url(url, pool_size=2, max_overflow=0)
    upgrade(database.engine)
    yield database, url
    database.dispose()


def test_a_lock_timeout_is_an_operational_error(own: tuple[Database, str]) -> None:
    own_database, _ = own
    with own_database.transaction() as session:
        event = _new_event(session)
    with own_database.transaction() as holder:
        holder.execute(text("select 1 from event where id = :id for update"), {"id": event.id})
        with own_database.transaction() as waiter:
            waiter.execute(text("set local lock_timeout = '100ms'"))
            claim = Direct(text("select 1 from event where id = :id for update"))
            with pytest.raises(OperationalError):
                claim.execute(waiter, {"id": event.id})
            waiter.rollback()


def test_a_dropped_connection_is_discarded_and_the_next_transaction_works(
    own: tuple[Database, str],
) -> None:
    own_database, url = own
    own_database.engine.dispose()  # one pooled connection: the one dropped below
    with own_database.transaction() as session:
        pid = session.scalar(text("select pg_backend_pid()"))
    with psycopg.connect(url.replace("+psycopg", "", 1), autocommit=True) as admin:
        admin.execute("select pg_terminate_backend(%s)", (pid,))
    with pytest.raises(OperationalError) as raised, own_database.transaction() as session:
        _new_event(session)
    assert raised.value.connection_invalidated
    with own_database.transaction() as session:
        assert _type_of(_read(session, _new_event(session))) == "TEST"
