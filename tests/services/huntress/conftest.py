"""A tenant routed for Huntress: a mapped organization (the fixtures' Acme Dental, 77120) with
its client and asset FRONTDESK-01, a fallback client, security and triage boards, priorities,
and the integration row (credentials sealed with the test vault) over the fake Huntress API."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from alertdesk.core.huntress.settings import HuntressSettings, SeverityPriorityMap
from alertdesk.services.huntress.processor import Source
from alertdesk.services.integrations.vault import Vault
from alertdesk.services.tickets.boards import StatusSpec, create_board, list_priorities
from alertdesk.services.tickets.reference import create_asset, create_client
from alertdesk.storage.models import OrgMapping
from alertdesk.testing.fakes import HUNTRESS_URL
from tests.conftest import TenantCtx
from tests.services.alerts.pipeline_fixtures import add_integration

NOW = datetime(2026, 6, 16, 14, 0, tzinfo=UTC)
ORG = 77120
VAULT = Vault("v" * 48)


@dataclass
class Setup:
    source: Source
    client_id: uuid.UUID
    fallback_client_id: uuid.UUID
    security_board: uuid.UUID
    triage_board: uuid.UUID
    open_status: uuid.UUID
    closed_status: uuid.UUID
    asset_id: uuid.UUID
    priorities: dict[str, uuid.UUID]


@pytest.fixture
def setup(session: Session, tenant: TenantCtx) -> Setup:
    t = tenant.id
    integration = add_integration(session, t, provider="huntress")
    integration.instance_url = HUNTRESS_URL
    integration.credentials_encrypted = VAULT.encrypt_json(
        {"api_key": "hk-key", "api_secret": "hk-secret"}
    )
    client = create_client(session, t, "Acme Dental")
    fallback = create_client(session, t, "Unassigned Security")
    statuses = [StatusSpec("Open", is_default=True), StatusSpec("Resolved", is_closed=True)]
    security, security_statuses = create_board(session, t, "Security", statuses)
    triage, _ = create_board(session, t, "Triage", statuses)
    asset, _ = create_asset(
        session,
        t,
        client_id=client.id,
        name="FRONTDESK-01",
        serial_number="PF3XK2L9",
        external_refs=[],
    )
    session.add(OrgMapping(tenant=t, integration_id=integration.id, external_org_id=str(ORG),
                           external_org_name="Acme Dental", client_id=client.id))  # fmt: skip
    priorities = {p.name.lower(): p.id for p in list_priorities(session, t)}
    settings = HuntressSettings(
        severity_priority_map=SeverityPriorityMap(
            critical=priorities["critical"], high=priorities["high"], low=priorities["medium"]
        ),
        board_id=security.id,
        fallback_client_id=fallback.id,
        fallback_board_id=triage.id,
        auto_close_tickets=True,
        closed_status_id=security_statuses[1].id,
        account_subdomain="examplemsp",
    )
    integration.settings = {
        "severity_priority_map": {
            "critical": str(priorities["critical"]),
            "high": str(priorities["high"]),
            "low": str(priorities["medium"]),
        },
        "board_id": str(security.id),
        "fallback_client_id": str(fallback.id),
        "fallback_board_id": str(triage.id),
        "auto_close_tickets": True,
        "closed_status_id": str(security_statuses[1].id),
        "account_subdomain": "examplemsp",
    }
    session.flush()
    return Setup(
        Source(t, integration.id, settings, "examplemsp"), client.id, fallback.id, security.id,
        triage.id, security_statuses[0].id, security_statuses[1].id, asset.id, priorities,
    )  # fmt: skip
