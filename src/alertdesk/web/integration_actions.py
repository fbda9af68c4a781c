"""What the API and the settings pages both do around an integration: finish a connection
(Huntress account + priorities, organization sync) and run one poll of whichever kind."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from alertdesk.services.huntress import poller as huntress_poller
from alertdesk.services.huntress import settings as huntress_settings
from alertdesk.services.integrations import org_mappings, polling
from alertdesk.services.integrations import records as svc
from alertdesk.storage.database import Database
from alertdesk.storage.models import Integration


def finish_connect(
    database: Database, tenant: uuid.UUID, integration: Integration, vendor: svc.Vendor,
    now: datetime,
) -> list[str]:  # fmt: skip
    """Best-effort steps after a connection is stored; each failure is a warning."""
    if not integration.is_active:
        return []
    warnings: list[str] = []
    if svc.provider_of(integration).polls_incidents:
        warnings += huntress_settings.after_connect(database, tenant, integration.id, vendor)
    warnings += org_mappings.sync_after_connect(database, tenant, integration.id, vendor, now)
    return warnings


def poll_now(
    database: Database, vendor: svc.Vendor, tenant: uuid.UUID, integration_id: uuid.UUID,
    now: datetime,
) -> dict[str, Any]:  # fmt: skip
    """One cycle now: a Huntress incident poll, or an RMM reconciliation."""
    with database.transaction() as session:
        spec = svc.provider_of(svc.get_integration(session, tenant, integration_id))
    if spec.polls_incidents:
        return huntress_poller.poll(database, vendor, tenant, integration_id, now)
    return polling.poll(database, vendor, tenant, integration_id, now).as_dict()
