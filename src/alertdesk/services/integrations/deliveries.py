"""Running webhook deliveries: a new one processed and stored in one transaction (`ingest`), or
those that arrived together in one (`ingest_together`); stored ones (replays from the API, UI,
CLI and the worker) one transaction each, claimed with `FOR UPDATE SKIP LOCKED`; and pruning."""

from __future__ import annotations

import json
import logging
import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session

from alertdesk.errors import Conflict
from alertdesk.providers.base import ExternalOrg
from alertdesk.services.integrations import inbound, inbox, org_mappings
from alertdesk.services.integrations.inbound import Delivery
from alertdesk.services.integrations.records import get_integration, provider_of
from alertdesk.storage.database import Database, refusal_reason
from alertdesk.storage.models import InboundEvent, Integration, Tenant
from alertdesk.storage.rows import insert_new

log = logging.getLogger(__name__)
REPLAY_LIMIT = 500


@dataclass(frozen=True)
class Attempt:
    """One processing attempt: `delivery` answers the webhook; `ok` is False when processing
    raised (the delivery is then `failed`, or `rejected` when the database refused a value)."""

    delivery: Delivery
    ok: bool


@dataclass(frozen=True)
class ReplayResult:
    attempted: int
    processed: int
    still_failing: int


def process_stored(
    database: Database, tenant: uuid.UUID, inbound_id: uuid.UUID, now: datetime
) -> Attempt | None:
    """Claim one stored delivery, process it and mark the result, all in one transaction.

    None when there is nothing to do: another process holds the delivery right now, or it is
    no longer `received`/`failed`. A failure is marked in a new transaction.
    """
    try:
        with database.transaction() as session:
            claimed = inbound.claim(session, tenant, inbound_id)
            if claimed is None:
                return None
            delivery = inbound.process(session, claimed, now)
    except DataError as exc:  # a value the database will never take: retrying cannot help
        return _rejected(database, tenant, inbound_id, exc, now)
    except Exception as exc:
        log.exception("processing webhook delivery %s failed; queued for retry", inbound_id)
        _failed(database, tenant, inbound_id, repr(exc), now)
        return Attempt(_queued(inbound_id), ok=False)
    return Attempt(delivery, ok=True)


Received = tuple[Integration, InboundEvent]
Receive = Callable[[Session], Received | Delivery]


def ingest(database: Database, receive: Receive, now: datetime) -> Delivery:
    """One webhook delivery, processed and stored in one transaction (one commit).

    `receive` authenticates it in that transaction and returns its integration and the
    delivery as received (not stored yet), or the answer that refuses it. The delivery row is
    written after processing, with its result; the processing's writes, that row and the
    COMMIT go to the database in one round trip. When processing (or that commit) raises, its
    work is rolled back and the delivery is stored on its own: failed for the retry (202), or
    rejected when the database refused a value (400). Nothing is lost: nothing was
    acknowledged before a commit.
    """
    received: InboundEvent | None = None
    try:
        with database.transaction() as session:
            answer = receive(session)
            if isinstance(answer, Delivery):
                return answer
            received = answer[1]
            delivery = _processed(session, answer, now)
        return delivery
    except Exception as exc:
        if received is None:  # not authenticated yet: nothing to keep
            raise
        failure = exc
    return _keep_unprocessed(database, received, failure, now)


@dataclass(frozen=True)
class Together:
    """The answers of deliveries taken together, in their order; `alone` when the transaction
    for all of them failed and each was ingested on its own."""

    answers: list[Delivery | Exception]
    alone: bool = False


def ingest_together(database: Database, arrivals: Sequence[tuple[Receive, datetime]]) -> Together:
    """Deliveries that arrived together (each with its `receive` and arrival time), processed one
    after another in one transaction with one commit: each sees what those before it wrote, as
    if each had a transaction of its own in that order (dedup stays exact).

    When any of them raises, or the commit does, all of it is rolled back and each is ingested
    on its own (`ingest`): a failure costs the others a second try, never a delivery. An
    exception in the answers is one that `ingest` raised (nothing was stored for it)."""
    if len(arrivals) == 1:
        return Together([_alone(database, *arrivals[0])])
    try:
        return Together(_together(database, arrivals))
    except Exception as exc:
        log.info("%d webhook deliveries taken together failed (%s); each goes alone",
                 len(arrivals), refusal_reason(exc))  # fmt: skip
    return Together([_alone(database, receive, now) for receive, now in arrivals], alone=True)


def _together(
    database: Database, arrivals: Sequence[tuple[Receive, datetime]]
) -> list[Delivery | Exception]:
    answers: list[Delivery | Exception] = []
    with database.transaction() as session:
        for receive, now in arrivals:
            answer = receive(session)
            if not isinstance(answer, Delivery):
                answer = _processed(session, answer, now)
                session.flush()  # what processing left pending is seen by the next
                session.expunge_all()  # which starts as it would in a session of its own
            answers.append(answer)
    return answers


def _processed(session: Session, received: Received, now: datetime) -> Delivery:
    """Process an authenticated delivery and store it with its result (its row is sent with
    the processing's writes and the COMMIT)."""
    integration, row = received
    delivery = inbound.process(session, row, now, integration)
    insert_new(session, row)
    return delivery


def _alone(database: Database, receive: Receive, now: datetime) -> Delivery | Exception:
    try:
        return ingest(database, receive, now)
    except Exception as exc:
        return exc


def _keep_unprocessed(
    database: Database, received: InboundEvent, failure: Exception, now: datetime
) -> Delivery:
    received.attempts = 1
    if isinstance(failure, DataError):  # a value the database will never take
        delivery = inbound.set_unstorable(received, failure, now)
    else:
        log.error("processing webhook delivery %s failed; queued for retry", received.id,
                  exc_info=failure)  # fmt: skip
        inbound.set_failed(received, repr(failure), now)
        delivery = _queued(received.id)
    with database.transaction() as session:
        session.add(received)
    return delivery


def _queued(inbound_id: uuid.UUID) -> Delivery:
    return Delivery(202, {"processed": False, "queued": True, "inbound_event_id": str(inbound_id)})


def _rejected(
    database: Database, tenant: uuid.UUID, inbound_id: uuid.UUID, exc: DataError, now: datetime
) -> Attempt:
    with database.transaction() as session:
        delivery = inbound.mark_unstorable(session, tenant, inbound_id, exc, now)
    return Attempt(delivery or _queued(inbound_id), ok=False)


def _failed(
    database: Database, tenant: uuid.UUID, inbound_id: uuid.UUID, error: str, now: datetime
) -> None:
    try:
        with database.transaction() as session:
            inbound.mark_failed(session, tenant, inbound_id, error, now)
    except Exception:  # left as it was: the next replay picks it up all the same
        log.exception("could not mark delivery %s as failed", inbound_id)


def replay(
    database: Database,
    tenant: uuid.UUID | None,
    integration_id: uuid.UUID | None,
    now: datetime,
    limit: int = REPLAY_LIMIT,
    backoff: bool = False,
) -> ReplayResult:
    """Process the failed (and long-stuck received) deliveries again, oldest first, each in
    its own transaction; one held by another process right now is skipped, not attempted.

    `tenant` None replays for every tenant (the operator's CLI, the worker's retries); the
    worker passes `backoff` so a failing delivery is tried less and less often.
    """
    with database.transaction() as session:
        candidates = inbox.retry_candidates(session, tenant, integration_id, now, limit, backoff)
    attempted = processed = 0
    for row_tenant, inbound_id in candidates:
        attempt = process_stored(database, row_tenant, inbound_id, now)
        if attempt is not None:
            attempted += 1
            processed += attempt.ok
    return ReplayResult(attempted, processed, attempted - processed)


def prune(database: Database, now: datetime, days: int) -> int:
    """Delete the deliveries older than the retention period, tenant by tenant (each a single
    shard on Citus), one short transaction per batch (never those still to be processed);
    returns how many went."""
    with database.transaction() as session:
        tenants = session.scalars(select(Tenant.tenant).order_by(Tenant.tenant)).all()
    removed = 0
    for tenant in tenants:
        while True:
            with database.transaction() as session:
                batch = inbox.prune_deliveries(session, tenant, now, days)
            removed += batch
            if batch < inbox.PRUNE_BATCH:
                break
    return removed


def send_test_alert(
    database: Database, tenant: uuid.UUID, integration_id: uuid.UUID, now: datetime
) -> Attempt:
    """Store and process a sample delivery of the integration's vendor, as a real one would be
    (logged with auth method `test`): on a mapped organization when there is one."""
    with database.transaction() as session:
        integration = get_integration(session, tenant, integration_id)
        spec = provider_of(integration)
        if spec.sample_alert is None or not integration.is_active:
            raise Conflict(f"{integration.name} takes no test alerts (connect it first).")
        mappings = org_mappings.list_mappings(session, tenant, integration_id)
        chosen = next((m for m in mappings if m.client_id), mappings[0] if mappings else None)
        org = (
            ExternalOrg(chosen.external_org_id, chosen.external_org_name or "") if chosen else None
        )
        body = json.dumps(spec.sample_alert(org, secrets.randbelow(10**9), now)).encode()
        stored = inbound.received(integration, body, "application/json", "test", now)
        session.add(stored)
    attempt = process_stored(database, tenant, stored.id, now)
    return attempt or Attempt(_queued(stored.id), ok=False)
