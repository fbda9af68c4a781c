"""Integrations (one per tenant and provider): lookups shared by rules, alerts and webhooks."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from alertdesk.services.lookup import get_owned
from alertdesk.storage.models import Integration


def get_integration(session: Session, tenant: uuid.UUID, integration_id: uuid.UUID) -> Integration:
    return get_owned(session, Integration, tenant, integration_id)


def list_integrations(session: Session, tenant: uuid.UUID) -> list[Integration]:
    return list(
        session.scalars(
            select(Integration).where(Integration.tenant == tenant).order_by(Integration.provider)
        )
    )
