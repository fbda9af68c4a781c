"""Reconciliation, table-driven: which vendor-active alerts are new, known or to re-run, and
which held alerts get a synthesized reset."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from alertdesk.core.dedup import dedup_key
from alertdesk.core.reconcile import HeldAlert, Source, reconcile
from alertdesk.core.types import AlertEvent

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SOURCE = Source(uuid.uuid4(), uuid.uuid4(), "ninjaone")


def firing(alert_id: str, device: str = "dev-1", condition: str = "disk") -> AlertEvent:
    return AlertEvent(
        tenant=SOURCE.tenant, integration_id=SOURCE.integration_id, provider="ninjaone",
        kind="triggered", external_alert_id=alert_id, occurred_at=NOW,
        external_device_id=device, condition_identity=condition,
    )  # fmt: skip


def held(
    alert_id: str, status: str = "active", device: str = "dev-1", condition: str = "disk"
) -> HeldAlert:
    key = dedup_key(firing(alert_id, device, condition))
    return HeldAlert(uuid.uuid5(uuid.NAMESPACE_OID, alert_id), alert_id, key, status, "org-1")


CASES = {
    "nothing on either side": ([], [], [], [], [], 0),
    "missed trigger": ([firing("A")], [], ["A"], [], [], 0),
    "known by id": ([firing("A")], [held("A")], [], [], [], 1),
    "known by dedup key under another id": ([firing("B")], [held("A")], [], [], [], 1),
    "another condition on the device is new": (
        [firing("B", condition="cpu")],
        [held("A")],
        ["B"],
        [],
        ["A"],
        0,
    ),
    "missed reset": ([], [held("A")], [], [], ["A"], 0),
    "missed reset of an acknowledged one": ([], [held("A", "acknowledged")], [], [], ["A"], 0),
    "suppressed and still firing: re-run": (
        [firing("A")],
        [held("A", "suppressed")],
        [],
        ["A"],
        [],
        0,
    ),
    "suppressed, matched by key, re-run under its own id": (
        [firing("B")],
        [held("A", "suppressed")],
        [],
        ["A"],
        [],
        0,
    ),
    "suppressed and gone: reset": ([], [held("A", "suppressed")], [], [], ["A"], 0),
}


@pytest.mark.parametrize(
    ("fetched", "local", "new", "rerun", "gone", "known"), CASES.values(), ids=list(CASES)
)
def test_reconcile(
    fetched: list[AlertEvent], local: list[HeldAlert], new: list[str], rerun: list[str],
    gone: list[str], known: int,
) -> None:  # fmt: skip
    plan = reconcile(SOURCE, fetched, local, NOW)
    assert [e.external_alert_id for e in plan.new] == new
    assert [e.external_alert_id for e in plan.reprocess] == rerun
    assert [e.external_alert_id for e in plan.gone] == gone
    assert plan.known == known


def test_a_synthesized_reset_carries_the_alerts_own_dedup_key_and_organization() -> None:
    alert = held("A", device="no-device", condition="cpu|high")
    (reset,) = reconcile(SOURCE, [], [alert], NOW).gone
    assert (reset.kind, reset.occurred_at, reset.external_org_id) == ("reset", NOW, "org-1")
    assert dedup_key(reset) == alert.dedup_key
    assert (reset.tenant, reset.integration_id, reset.provider) == (
        SOURCE.tenant, SOURCE.integration_id, "ninjaone",
    )  # fmt: skip
    assert reset.raw == {"reason": "no_longer_active_in_rmm"}
