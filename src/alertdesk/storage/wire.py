"""Many statements in one write and one round trip, on psycopg's libpq connection: each prepared
once per connection, its parameters dumped by psycopg's adapters. (psycopg's own pipeline writes
to the socket after every statement: a system call here and a wake-up of the server each.)"""

from __future__ import annotations

import itertools
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import abc, generators
from psycopg.abc import PQGen
from psycopg.adapt import PyFormat, Transformer
from psycopg.pq import ExecStatus, TransactionStatus
from psycopg.pq.abc import PGconn, PGresult

PREPARED = "alertdesk.prepared"  # in the connection's info: (sql, types) → prepared name
ADAPTING = "alertdesk.adapting"  # there: the connection's psycopg Transformer (its caches warm)
TRACE = "alertdesk.trace"  # a list there records each statement's SQL (statement budgets)
Statement = tuple[bytes, Sequence[Any]]  # SQL with $1… and its values in that order
Key = tuple[bytes, tuple[int, ...]]  # a statement's SQL and its parameters' types
Prepared = dict[Key, bytes]  # the name each is prepared under
INVALID_STATEMENT_NAME = "26000"
_NUMBERS = itertools.count()  # names unique in the process (next() is atomic)


class Refused(Exception):
    """The server refused statement `index` of those given (len of them: `then`; -1: BEGIN)."""

    def __init__(self, index: int, error: psycopg.Error) -> None:
        super().__init__(str(error))
        self.index, self.error = index, error


def exchange(
    driver: psycopg.Connection[Any],
    info: MutableMapping[str, Any],
    statements: Sequence[Statement],
    then: bytes | None = None,
) -> list[PGresult]:
    """Send `statements` and then `then` (a statement without parameters, e.g. COMMIT) in one
    write — after the BEGIN a transaction not begun yet needs — and read every answer: each
    statement's result, in order (then `then`'s). A statement is prepared on its first use on
    the connection (`info` lives as long as the connection). Raises Refused, or psycopg's
    error when the connection fails."""
    prepared: Prepared = info.setdefault(PREPARED, {})
    if (trace := info.get(TRACE)) is not None:
        sent = [sql for sql, _ in statements] + ([then] if then is not None else [])
        trace.extend(" ".join(sql.decode().split()) for sql in sent)
    dumped = _dumped(_adapting(driver, info), statements)  # before anything is queued
    with driver.lock:
        driver.pgconn.enter_pipeline_mode()
        try:
            commands = _send(driver, prepared, dumped, then)
            results = driver.wait(_round_trip(driver.pgconn, len(commands.owners)))
        finally:
            _leave_pipeline(driver)
    for command, (key, name) in commands.preparing.items():  # those the server took
        if results[command].status == ExecStatus.COMMAND_OK:
            prepared[key] = name
    for command, result in enumerate(results):
        if result.status == ExecStatus.FATAL_ERROR:
            error = psycopg.errors.error_from_result(result, encoding=driver.info.encoding)
            if error.sqlstate == INVALID_STATEMENT_NAME:  # dropped by someone (DISCARD ALL)
                prepared.clear()  # prepared again on the next exchange
            raise Refused(commands.owners[command], error)
    return [result for command, result in enumerate(results)
            if commands.owners[command] >= 0 and command not in commands.preparing]  # fmt: skip


@dataclass
class _Commands:
    """What was sent: per command the index of its statement (-1: BEGIN), and the commands
    that prepare a statement (with its key and name)."""

    owners: list[int] = field(default_factory=list)
    preparing: dict[int, tuple[Key, bytes]] = field(default_factory=dict)


Dumped = tuple[bytes, Sequence[Any], tuple[int, ...], Sequence[Any]]  # sql, params, types, formats


def _dumped(dumper: abc.Transformer, statements: Sequence[Statement]) -> list[Dumped]:
    """Every statement's parameters as the server takes them; a value psycopg cannot send (a
    NUL in text) is the Refused of its statement."""
    dumped: list[Dumped] = []
    for index, (sql, values) in enumerate(statements):
        try:
            params = dumper.dump_sequence(values, [PyFormat.AUTO] * len(values))
        except psycopg.Error as exc:
            raise Refused(index, exc) from exc
        dumped.append((sql, params, tuple(dumper.types or ()), list(dumper.formats or ())))
    return dumped


def _send(
    driver: psycopg.Connection[Any],
    prepared: Prepared,
    dumped: Sequence[Dumped],
    then: bytes | None,
) -> _Commands:
    """Queue every command in libpq's buffer (pipeline mode: nothing is written yet) and the
    sync that ends them."""
    pgconn, commands = driver.pgconn, _Commands()
    if (begin := _begin(driver)) is not None:
        pgconn.send_query_params(begin, None)
        commands.owners.append(-1)
    for index, (sql, params, types, formats) in enumerate(dumped):
        if (name := prepared.get((sql, types))) is None:
            name = f"alertdesk_{next(_NUMBERS)}".encode()
            pgconn.send_prepare(name, sql, param_types=types)
            commands.preparing[len(commands.owners)] = (sql, types), name
            commands.owners.append(index)
        pgconn.send_query_prepared(name, params, param_formats=formats)
        commands.owners.append(index)
    if then is not None:
        pgconn.send_query_params(then, None)
        commands.owners.append(len(dumped))
    pgconn.pipeline_sync()
    return commands


def _leave_pipeline(driver: psycopg.Connection[Any]) -> None:
    """Out of pipeline mode. A connection that cannot leave it (answers left unread: the round
    trip failed midway) is closed, so the pool replaces it rather than hand it out again."""
    try:
        driver.pgconn.exit_pipeline_mode()
    except psycopg.Error:
        driver.close()


def rows(
    driver: psycopg.Connection[Any], info: MutableMapping[str, Any], result: PGresult
) -> list[tuple[Any, ...]]:
    """A statement's rows as psycopg's cursor would make them (tuples of Python values)."""
    loader = _adapting(driver, info)
    loader.set_pgresult(result)
    return loader.load_rows(0, result.ntuples, tuple)


def _adapting(driver: psycopg.Connection[Any], info: MutableMapping[str, Any]) -> abc.Transformer:
    """One per connection (used under its lock): it keeps the dumpers and loaders it found."""
    adapting: abc.Transformer | None = info.get(ADAPTING)
    if adapting is None:
        adapting = info[ADAPTING] = Transformer.from_context(driver)
    return adapting


def _begin(driver: psycopg.Connection[Any]) -> bytes | None:
    """The BEGIN psycopg would send before a statement outside a transaction (none in
    autocommit), with the connection's transaction characteristics."""
    if driver.autocommit or driver.info.transaction_status != TransactionStatus.IDLE:
        return None
    parts = [b"BEGIN"]
    if driver.isolation_level is not None:
        parts += [b"ISOLATION LEVEL", driver.isolation_level.name.replace("_", " ").encode()]
    if driver.read_only is not None:
        parts.append(b"READ ONLY" if driver.read_only else b"READ WRITE")
    if driver.deferrable is not None:
        parts.append(b"DEFERRABLE" if driver.deferrable else b"NOT DEFERRABLE")
    return b" ".join(parts)


def _round_trip(pgconn: PGconn, count: int) -> PQGen[list[PGresult]]:
    """Flush what was sent, then read the result of each of `count` commands and the sync."""
    yield from generators.send(pgconn)
    results: list[PGresult] = []
    for _ in range(count):
        answer = yield from generators.fetch_many(pgconn)
        results.append(answer[0])
    yield from generators.fetch_many(pgconn)  # the sync
    return results
