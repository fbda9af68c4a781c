"""Statements run straight on the driver (storage/direct.py) and the rows they make instances
(storage/rows.py): the same values, errors and session behaviour as through SQLAlchemy; writes
deferred to the next statement or the commit, discarded by a rollback."""

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
from alertdesk.storage.direct import Direct, send_deferred
from alertdesk.storage.migrate import upgrade
from alertdesk.storage.models import Event
from alertdesk.storage.rows import columns_of, detached, insert_new, new_row, persistent
from tests.fakes.statements import statements

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
    row = _EVENT.row(session, {"tenant": event.tenant, "id": event.id})
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


def test_a_new_row_built_directly_is_the_constructor_s_row(session: Session) -> None:
    values = {"tenant": uuid.uuid4(), "id": uuid.uuid4(), "type": "TEST", "created_at": NOW}
    built, constructed = new_row(Event, **values), Event(**values)
    assert inspect(built).transient
    assert _attributes(built) == _attributes(constructed)
    insert_new(session, built)
    built.type = "CHANGED"  # a transient row's later changes are not written
    assert detached(Event, _read(session, built)).payload == {}  # its Python default
    assert _type_of(_read(session, built)) == "TEST"
    built.payload = {"set": "later"}  # still instrumented: the ORM can add it
    built.id = uuid.uuid4()
    session.add(built)
    session.flush()
    assert detached(Event, _read(session, built)).payload == {"set": "later"}


def _attributes(row: Event) -> dict[str, object]:
    return {k: v for k, v in inspect(row).dict.items() if not k.startswith("_")}


def test_a_new_row_refuses_an_attribute_its_model_lacks() -> None:
    with pytest.raises(TypeError, match="no column attribute 'colour'"):
        new_row(Event, colour="red")


def test_a_statement_carries_its_own_literals(session: Session) -> None:
    channel = Direct(select(literal("alertdesk") + bindparam("suffix")))
    assert channel.rows(session, {"suffix": "-x"}) == [("alertdesk-x",)]


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
                claim.rows(waiter, {"id": event.id})
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


def _exists(session: Session, event: Event) -> bool:
    found = session.scalar(select(Event.id).where(Event.tenant == event.tenant))
    return found == event.id


def test_a_write_is_deferred_to_the_next_statement_and_sent_with_it(session: Session) -> None:
    connection = session.connection()
    with statements(connection) as seen:
        event = _new_event(session)
        assert seen == []  # nothing sent yet
        assert _type_of(_read(session, event)) == "TEST"  # the read sees it: sent first
    assert [s.split()[0] for s in seen] == ["INSERT", "SELECT"]


def test_a_query_through_sqlalchemy_sees_the_deferred_writes(session: Session) -> None:
    event = _new_event(session)
    assert _exists(session, event)  # the ORM's SELECT sent them first


def test_send_deferred_raises_a_deferred_write_s_error_there(session: Session) -> None:
    event = _new_event(session)
    savepoint = session.begin_nested()
    insert_new(session, Event(tenant=event.tenant, id=event.id, type="again"))
    with pytest.raises(IntegrityError):
        send_deferred(session)
    savepoint.rollback()
    assert _type_of(_read(session, event)) == "TEST"


def test_rolling_back_to_a_savepoint_discards_what_was_deferred_after_it(
    session: Session,
) -> None:
    kept, written = _new_event(session), []

    def refused() -> None:
        with session.begin_nested():
            written.append(_new_event(session))
            raise RuntimeError("a refused change")

    with pytest.raises(RuntimeError):
        refused()
    [dropped] = written
    assert _exists(session, kept)
    assert not _exists(session, dropped)


def test_deferred_writes_go_with_the_commit_in_one_round_trip(own: tuple[Database, str]) -> None:
    own_database, _ = own
    with own_database.transaction() as session, statements(session.connection()) as seen:
        event = _new_event(session)
        session.commit()
    assert [s.split()[0] for s in seen] == ["INSERT", "COMMIT"]
    with own_database.transaction() as session:
        assert _type_of(_read(session, event)) == "TEST"


def test_a_deferred_write_failing_at_the_commit_rolls_everything_back(
    own: tuple[Database, str],
) -> None:
    own_database, _ = own
    with own_database.transaction() as session:
        event = _new_event(session)
    written = []

    def twice() -> None:
        with own_database.transaction() as session:
            written.append(_new_event(session))
            insert_new(session, Event(tenant=event.tenant, id=event.id, type="again"))

    with pytest.raises(IntegrityError):
        twice()
    [other] = written
    with own_database.transaction() as session:
        assert not _exists(session, other)
        assert _type_of(_read(session, event)) == "TEST"


def test_a_rolled_back_transaction_leaves_nothing_deferred_on_its_connection(
    own: tuple[Database, str],
) -> None:
    own_database, _ = own
    own_database.engine.dispose()
    written = []

    def failing() -> None:
        with own_database.transaction() as session:
            written.append(_new_event(session))
            raise RuntimeError("processing failed")

    with pytest.raises(RuntimeError):
        failing()
    [dropped] = written
    with own_database.transaction() as session:  # the same pooled connection
        with statements(session.connection()) as seen:
            kept = _new_event(session)
        assert not _exists(session, dropped)
        assert _exists(session, kept)
    assert seen == []
