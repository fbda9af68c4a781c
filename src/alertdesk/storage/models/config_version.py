"""Integration.config_version follows every change to what the pipeline compiles: a flush that
adds, changes or deletes an alert rule bumps its integration; a maintenance window, every
integration of its tenant. The pipeline's compiled rules and windows are keyed by it."""

from __future__ import annotations

import uuid
from itertools import chain
from typing import Any

from sqlalchemy import event, update
from sqlalchemy.orm import Session

from alertdesk.storage.models.alerts import AlertRule, MaintenanceWindow
from alertdesk.storage.models.integrations import Integration


@event.listens_for(Session, "before_flush")
def _bump_config_versions(session: Session, _context: Any, _instances: Any) -> None:
    rules: set[tuple[uuid.UUID, uuid.UUID]] = set()
    tenants: set[uuid.UUID] = set()
    for item in chain(session.new, session.dirty, session.deleted):
        if isinstance(item, AlertRule):
            rules.add((item.tenant, item.integration_id))
        elif isinstance(item, MaintenanceWindow):
            tenants.add(item.tenant)
    if not (rules or tenants):
        return
    bump = update(Integration).values(config_version=Integration.config_version + 1)
    connection = session.connection()
    for tenant in tenants:
        connection.execute(bump.where(Integration.tenant == tenant))
    for tenant, integration_id in rules:
        if tenant not in tenants:
            connection.execute(
                bump.where(Integration.tenant == tenant, Integration.id == integration_id)
            )
