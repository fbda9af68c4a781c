"""Hostile or broken bodies get a clear answer and never a retry loop; retries are bounded."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from alertdesk.services.integrations.inbound import MAX_ATTEMPTS
from alertdesk.storage.models import InboundEvent, Integration
from tests.conftest import TenantCtx
from tests.web.api_helpers import make_client
from tests.web.webhook_support import (
    Connected,
    add_rule,
    alerts,
    connect_ninja,
    connect_tactical,
    deliver,
    inbound_events,
    payload,
    processed,
)


@pytest.fixture
def ninja(client: TestClient, tenant: TenantCtx) -> Connected:
    make_client(client, tenant.headers, "KMSP Radio Station")
    integration = connect_ninja(client, tenant.headers)
    add_rule(client, integration)
    return integration


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"[" * 200_000, id="deeply-nested"),
        pytest.param(b"1" * 5000, id="huge-integer"),
        pytest.param(b"\xff\xfe{not json", id="binary"),
    ],
)
def test_unreadable_bodies_are_400_and_kept_as_rejected(
    client: TestClient, ninja: Connected, body: bytes
) -> None:
    response = deliver(client, ninja, body)
    assert response.status_code == 400, response.text
    [event] = inbound_events(client, ninja)
    assert event["status"] == "rejected"


def test_an_overlong_alert_id_is_400(client: TestClient, ninja: Connected) -> None:
    response = deliver(client, ninja, payload("ninjaone", "condition_triggered.json",
                                              seriesUid="x" * 300))  # fmt: skip
    assert response.status_code == 400
    assert "longer than 255" in response.json()["detail"]


def test_a_huge_activity_time_falls_back_to_now(client: TestClient, ninja: Connected) -> None:
    body = payload("ninjaone", "condition_triggered.json", activityTime=10**400)
    processed(deliver(client, ninja, body), "ticket_created")


def test_lone_surrogates_are_stored_not_fatal(client: TestClient, ninja: Connected) -> None:
    raw = json.loads(payload("ninjaone", "condition_triggered.json"))
    text = json.dumps(raw | {"message": "PLACEHOLDER"}).replace("PLACEHOLDER", "disk \\ud800 full")
    processed(deliver(client, ninja, text.encode()), "ticket_created")
    [alert] = alerts(client, ninja.admin)
    assert alert["message"].startswith("disk ")


def test_a_tactical_string_literal_body_with_an_escaped_nul(
    client: TestClient, tenant: TenantCtx
) -> None:
    make_client(client, tenant.headers, "Acme Dental")
    tactical = connect_tactical(client, tenant.headers)
    add_rule(client, tactical)
    inner = json.loads(payload("tacticalrmm", "webhook_trigger.json"))
    inner["message"] = "disk\u0000full"
    body = json.dumps(json.dumps(inner)).encode()  # the whole body as one JSON string
    processed(deliver(client, tactical, body, content_type=None), "ticket_created")


def _break(session: Session, integration: Connected) -> None:
    session.execute(
        update(Integration)
        .where(Integration.id == uuid.UUID(integration.id))
        .values(settings={"default_severity": "apocalyptic"})
    )
    session.flush()


def test_retries_stop_after_the_maximum_and_the_delivery_is_dead(
    client: TestClient, session: Session, ninja: Connected
) -> None:
    _break(session, ninja)
    assert (
        deliver(client, ninja, payload("ninjaone", "condition_triggered.json")).status_code == 202
    )
    url = f"/api/v1/integrations/{ninja.id}/inbound-events/replay"
    for _ in range(MAX_ATTEMPTS):
        client.post(url, headers=ninja.admin)
    [event] = inbound_events(client, ninja)
    assert (event["status"], event["attempts"]) == ("dead", MAX_ATTEMPTS)
    assert client.post(url, headers=ninja.admin).json()["attempted"] == 0


def test_a_delivery_stuck_as_received_is_replayed(
    client: TestClient, session: Session, ninja: Connected
) -> None:
    """A process that died between storing and processing leaves it "received"."""
    processed(
        deliver(client, ninja, payload("ninjaone", "condition_triggered.json")), "ticket_created"
    )
    session.execute(
        update(InboundEvent)
        .where(InboundEvent.integration_id == uuid.UUID(ninja.id))
        .values(status="received", received_at=datetime.now(UTC) - timedelta(hours=1))
    )
    session.flush()
    url = f"/api/v1/integrations/{ninja.id}/inbound-events/replay"
    assert client.post(url, headers=ninja.admin).json() == {
        "attempted": 1, "processed": 1, "still_failing": 0,
    }  # fmt: skip
    [event] = inbound_events(client, ninja)
    assert event["status"] == "processed"


@pytest.mark.parametrize(("age_seconds", "picked_up"), [(45, True), (5, False)])
def test_a_delivery_left_received_is_retried_within_a_minute(
    client: TestClient, session: Session, ninja: Connected, age_seconds: int, picked_up: bool
) -> None:
    """After a crash, the retry picks a stuck delivery up well within a minute of restart,
    but never one that another process may still be working on right now."""
    deliver(client, ninja, payload("ninjaone", "condition_triggered.json"))
    received_at = datetime.now(UTC) - timedelta(seconds=age_seconds)
    session.execute(
        update(InboundEvent)
        .where(InboundEvent.integration_id == uuid.UUID(ninja.id))
        .values(status="received", received_at=received_at)
    )
    session.flush()
    url = f"/api/v1/integrations/{ninja.id}/inbound-events/replay"
    assert client.post(url, headers=ninja.admin).json()["attempted"] == int(picked_up)
