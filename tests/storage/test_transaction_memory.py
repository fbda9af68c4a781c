"""What a transaction remembers (`transaction_memory`): kept through its savepoints, forgotten
when it ends, never seen by the next transaction of the same session."""

from __future__ import annotations

from functools import partial

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from alertdesk.storage.database import read_once, transaction_memory


def test_a_transaction_remembers_until_it_ends(engine: Engine) -> None:
    with Session(engine) as session:
        with session.begin():
            transaction_memory(session, "reads")["key"] = 1
            with session.begin_nested():
                assert transaction_memory(session, "reads") == {"key": 1}
                transaction_memory(session, "reads")["inner"] = 2
            assert transaction_memory(session, "reads") == {"key": 1, "inner": 2}
            assert transaction_memory(session, "other") == {}
        with session.begin():  # the same session, a new transaction
            assert transaction_memory(session, "reads") == {}


def test_a_rolled_back_transaction_forgets_too(engine: Engine) -> None:
    with Session(engine) as session:
        session.begin()
        transaction_memory(session, "reads")["key"] = 1
        session.rollback()
        with session.begin():
            assert transaction_memory(session, "reads") == {}


def test_read_once_reads_a_key_once_per_transaction(engine: Engine) -> None:
    reads: list[str] = []

    def read(key: str) -> str | None:
        reads.append(key)
        return None if key == "none" else key.upper()

    with Session(engine) as session:
        with session.begin():
            for key in ("a", "a", "b", "none", "none"):
                expected = None if key == "none" else key.upper()
                assert read_once(session, "reads", key, partial(read, key)) == expected
        assert reads == ["a", "b", "none"]  # None is remembered too
        with session.begin():
            read_once(session, "reads", "a", lambda: read("a"))
        assert reads == ["a", "b", "none", "a"]
