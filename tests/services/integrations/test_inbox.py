"""The inbox in bulk: lists count body sizes in the database; retention keeps what is pending."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alertdesk.services.integrations.inbox import list_recent, prune_deliveries, retry_candidates
from alertdesk.storage.models import InboundEvent
from tests.conftest import TenantCtx
from tests.services.alerts.pipeline_fixtures import add_integration

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
STATUSES = ("received", "failed", "processed", "ignored", "rejected", "dead")


def add(
    session: Session, tenant: uuid.UUID, integration: uuid.UUID, status: str, age: timedelta
) -> uuid.UUID:
    row = InboundEvent(
        tenant=tenant, id=uuid.uuid4(), integration_id=integration, provider="ninjaone",
        received_at=NOW - age, body=status.encode() * 3, auth_method="header", status=status,
        outcome={}, attempts=1,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row.id


@pytest.fixture
def integration(session: Session, tenant: TenantCtx) -> uuid.UUID:
    return add_integration(session, tenant.id).id


def remaining(session: Session, tenant: uuid.UUID) -> set[tuple[str, int]]:
    rows = session.execute(
        select(InboundEvent.status, InboundEvent.received_at).where(InboundEvent.tenant == tenant)
    )
    return {(status, (NOW - received).days) for status, received in rows}


def test_list_recent_counts_sizes_newest_first(
    session: Session, tenant: TenantCtx, integration: uuid.UUID
) -> None:
    add(session, tenant.id, integration, "processed", timedelta(hours=2))
    add(session, tenant.id, integration, "failed", timedelta(hours=1))
    rows = list_recent(session, tenant.id, integration, 10)
    assert [(r.status, r.size) for r in rows] == [("failed", 18), ("processed", 27)]
    assert [r.status for r in list_recent(session, tenant.id, integration, 1)] == ["failed"]


def test_prune_removes_old_final_deliveries_and_keeps_pending_and_recent_ones(
    session: Session, tenant: TenantCtx, integration: uuid.UUID
) -> None:
    for status in STATUSES:
        add(session, tenant.id, integration, status, timedelta(days=31))
        add(session, tenant.id, integration, status, timedelta(days=29))
    assert prune_deliveries(session, tenant.id, NOW, 30) == 4
    kept = {(s, 29) for s in STATUSES} | {("received", 31), ("failed", 31)}
    assert remaining(session, tenant.id) == kept
    assert prune_deliveries(session, tenant.id, NOW, 30) == 0


def test_prune_works_in_batches(
    session: Session, tenant: TenantCtx, integration: uuid.UUID
) -> None:
    for _ in range(5):
        add(session, tenant.id, integration, "processed", timedelta(days=400))
    batches = [prune_deliveries(session, tenant.id, NOW, 365, batch_size=2) for _ in range(4)]
    assert batches == [2, 2, 1, 0]
    assert remaining(session, tenant.id) == set()


@pytest.mark.parametrize(
    ("attempts", "last_try_ago", "with_backoff"),
    [
        (1, timedelta(seconds=14), False),  # 15 s after the first failure
        (1, timedelta(seconds=16), True),
        (3, timedelta(seconds=59), False),  # 60 s after the third
        (3, timedelta(seconds=61), True),
        (9, timedelta(minutes=63), False),  # 64 min after the ninth
        (9, timedelta(minutes=65), True),
    ],
)
def test_the_worker_retries_a_failed_delivery_less_and_less_often(
    session: Session,
    tenant: TenantCtx,
    integration: uuid.UUID,
    attempts: int,
    last_try_ago: timedelta,
    with_backoff: bool,
) -> None:
    delivery = add(session, tenant.id, integration, "failed", timedelta(days=1))
    row = session.get_one(InboundEvent, (tenant.id, delivery))
    row.attempts, row.processed_at = attempts, NOW - last_try_ago
    session.flush()
    due = retry_candidates(session, tenant.id, None, NOW, 10, backoff=True)
    assert (due == [(tenant.id, delivery)]) is with_backoff
    # the operator's replay does not wait
    assert retry_candidates(session, tenant.id, None, NOW, 10) == [(tenant.id, delivery)]
