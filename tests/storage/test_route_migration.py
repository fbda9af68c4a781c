"""Migration 0007 fills the tenant routes (reference tables) from the rows already there, so
existing webhook URLs and logins keep working after the upgrade."""

from __future__ import annotations

from collections.abc import Callable

from alembic import command
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from alertdesk.services.accounts.directory import users_with_email
from alertdesk.services.accounts.tenants import create_tenant
from alertdesk.services.integrations.inbound import find_active_integration
from alertdesk.storage.migrate import alembic_config, upgrade
from alertdesk.storage.models import EmailRoute, IntegrationRoute
from tests.services.alerts.pipeline_fixtures import build_world


def test_routes_are_filled_from_existing_users_and_integrations(
    make_database: Callable[[], str],
) -> None:
    engine = create_engine(make_database())
    try:
        upgrade(engine)
        with Session(engine) as session, session.begin():
            tenant, admin = create_tenant(session, "Route MSP", "Route@Example.com", "x" * 12)
            integration = build_world(session, tenant.tenant, admin.id).integration
            ids = (tenant.tenant, integration.id, integration.provider)
        config = alembic_config(engine)
        command.downgrade(config, "0006")
        command.upgrade(config, "head")
        tenant_id, integration_id, provider = ids
        with Session(engine) as session:
            assert session.execute(
                select(IntegrationRoute.integration_id, IntegrationRoute.tenant)
            ).all() == [(integration_id, tenant_id)]
            assert session.execute(select(EmailRoute.email, EmailRoute.tenant)).all() == [
                ("route@example.com", tenant_id)
            ]
            found = find_active_integration(session, provider, integration_id)
            assert found is not None
            assert found.tenant == tenant_id
            assert [u.tenant for u in users_with_email(session, " ROUTE@example.com")] == [
                tenant_id
            ]
    finally:
        engine.dispose()
