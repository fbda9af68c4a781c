"""The incident processor against real PostgreSQL (seed Task 8): a routed, self-contained
ticket for a mapped incident; reprocessing the unchanged incident does nothing; a closing
incident appends a note and closes when enabled; an unknown organization goes to the fallback
client and board with [Unmapped Org] and is discovered; an opted-out organization is recorded
without a ticket. Plus the asset match (hostname, serial tie-break, the agent linked)."""

from __future__ import annotations

import copy
import uuid
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alertdesk.services.huntress.processor import Processed, Source, process_incident
from alertdesk.services.tickets.reference import (
    ExternalRef,
    create_asset,
)
from alertdesk.storage.models import (
    Alert,
    AssetExternalRef,
    Event,
    OrgMapping,
    Ticket,
    TicketAsset,
    TicketComment,
)
from alertdesk.testing.fakes import huntress_fixture
from tests.services.huntress.conftest import NOW, Setup


def incident(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = copy.deepcopy(huntress_fixture("incident_report_single.json"))
    report: dict[str, Any] = base["incident_report"]
    return report | changes


AGENT: dict[str, Any] = huntress_fixture("agent.json")["agent"]


def process(
    session: Session,
    setup: Setup,
    item: dict[str, Any],
    agent: Any = AGENT,
    org_name: str | None = "Acme Dental",
    source: Source | None = None,
) -> Processed:
    return process_incident(session, source or setup.source, item, agent, org_name, NOW)


def alert_of(session: Session, setup: Setup, incident_id: object) -> Alert:
    return session.scalars(
        select(Alert).where(
            Alert.tenant == setup.source.tenant, Alert.external_alert_id == str(incident_id)
        )
    ).one()


def notes(session: Session, setup: Setup, ticket_id: uuid.UUID) -> list[str]:
    return list(
        session.scalars(
            select(TicketComment.body)
            .where(
                TicketComment.tenant == setup.source.tenant, TicketComment.ticket_id == ticket_id
            )
            .order_by(TicketComment.created_at, TicketComment.id)
        )
    )


def test_a_mapped_incident_becomes_a_routed_self_contained_ticket(
    session: Session, setup: Setup
) -> None:
    result = process(session, setup, incident())
    assert result.action == "create_ticket"
    alert = alert_of(session, setup, 512877)
    assert (alert.ticket_id, alert.severity, alert.status, alert.client_id) == (
        result.ticket_id,
        "critical",
        "active",
        setup.client_id,  # the organization's client: the Alerts list shows it
    )
    ticket = session.get_one(Ticket, (setup.source.tenant, result.ticket_id))
    assert (ticket.client_id, ticket.board_id, ticket.status_id) == (
        setup.client_id, setup.security_board, setup.open_status,
    )  # fmt: skip
    assert ticket.priority_id == setup.priorities["critical"]
    assert (ticket.source, ticket.source_reference) == ("huntress", "512877")
    assert ticket.title == "[Huntress] CRITICAL - Incident on FRONTDESK-01 (Acme Dental)"
    assert "FRONTDESK-01" in ticket.description
    assert "https://examplemsp.huntress.io/incident_reports/512877" in ticket.description
    links = session.scalars(select(TicketAsset.asset_id).where(TicketAsset.ticket_id == ticket.id))
    assert list(links) == [setup.asset_id]
    assert notes(session, setup, ticket.id)[0].startswith(
        "**Ticket created automatically from a Huntress incident report**"
    )
    ref = session.scalars(
        select(AssetExternalRef).where(AssetExternalRef.external_id == str(AGENT["id"]))
    ).one()
    assert (ref.provider, ref.asset_id) == ("huntress", setup.asset_id)
    types = session.scalars(select(Event.type).where(Event.tenant == setup.source.tenant))
    assert sorted(types) == ["RMM_ALERT_TRIGGERED", "TICKET_CREATED"]


def test_reprocessing_the_unchanged_incident_creates_nothing(
    session: Session, setup: Setup
) -> None:
    first = process(session, setup, incident())
    again = process(session, setup, incident())
    assert (again.action, again.ticket_id) == ("skip", first.ticket_id)
    count = session.scalar(
        select(func.count()).select_from(Ticket).where(Ticket.tenant == setup.source.tenant)
    )
    assert count == 1


@pytest.mark.parametrize("auto_close", [True, False])
def test_a_closing_incident_appends_a_note_and_closes_when_enabled(
    session: Session, setup: Setup, auto_close: bool
) -> None:
    source = replace(
        setup.source, settings=replace(setup.source.settings, auto_close_tickets=auto_close)
    )
    opened = process(session, setup, incident(), source=source)
    assert opened.ticket_id is not None
    before = len(notes(session, setup, opened.ticket_id))
    closed = incident(
        status="closed", closed_at="2026-06-17T12:00:00Z", updated_at="2026-06-17T12:00:00Z"
    )
    result = process(session, setup, closed, source=source)
    assert result.action == "append_note"
    assert len(notes(session, setup, opened.ticket_id)) == before + 1
    ticket = session.get_one(Ticket, (setup.source.tenant, opened.ticket_id))
    assert (ticket.status_id == setup.closed_status, ticket.is_closed) == (auto_close, auto_close)
    assert alert_of(session, setup, 512877).status == "resolved"
    assert process(session, setup, closed, source=source).action == "skip"


def test_an_unknown_organization_goes_to_the_fallback_and_is_discovered(
    session: Session, setup: Setup
) -> None:
    unknown = incident(id=2000, organization_id=600, agent_id=None, subject="LOW - M365 incident",
                       severity="low")  # fmt: skip
    result = process(session, setup, unknown, agent=None, org_name="Discovered Org 600")
    assert result.action == "create_ticket"
    ticket = session.get_one(Ticket, (setup.source.tenant, result.ticket_id))
    assert (ticket.client_id, ticket.board_id) == (setup.fallback_client_id, setup.triage_board)
    assert ticket.title == "[Huntress] [Unmapped Org] LOW - M365 incident"
    assert ticket.priority_id == setup.priorities["medium"]
    found = session.scalars(select(OrgMapping).where(OrgMapping.external_org_id == "600")).one()
    assert (found.client_id, found.external_org_name) == (None, "Discovered Org 600")
    assert alert_of(session, setup, 2000).client_id is None  # unmapped: no client of its own


def test_an_opted_out_organization_is_recorded_without_a_ticket(
    session: Session, setup: Setup
) -> None:
    process(session, setup, incident(id=2000, organization_id=600), agent=None)
    mapping = session.scalars(select(OrgMapping).where(OrgMapping.external_org_id == "600")).one()
    mapping.auto_create_tickets = False
    result = process(session, setup, incident(id=3000, organization_id=600), agent=None)
    assert result.action == "record_only"
    assert alert_of(session, setup, 3000).ticket_id is None


def test_an_incident_already_closed_when_first_seen_is_only_recorded(
    session: Session, setup: Setup
) -> None:
    result = process(session, setup, incident(id=4000, status="closed"))
    assert (result.action, result.ticket_id) == ("record_only", None)
    assert alert_of(session, setup, 4000).status == "resolved"


def test_same_hostname_is_decided_by_the_serial_number(session: Session, setup: Setup) -> None:
    twin, _ = create_asset(
        session,
        setup.source.tenant,
        client_id=setup.client_id,
        name="frontdesk-01",
        serial_number="OTHER",
        external_refs=[],
    )
    result = process(session, setup, incident())
    links = session.scalars(
        select(TicketAsset.asset_id).where(TicketAsset.ticket_id == result.ticket_id)
    )
    assert list(links) == [setup.asset_id]
    assert twin.id != setup.asset_id


def test_an_agent_already_linked_to_an_asset_keeps_it(session: Session, setup: Setup) -> None:
    linked, _ = create_asset(
        session,
        setup.source.tenant,
        client_id=setup.client_id,
        name="Renamed PC",
        serial_number=None,
        external_refs=[ExternalRef("huntress", str(AGENT["id"]))],
    )
    result = process(session, setup, incident())
    links = session.scalars(
        select(TicketAsset.asset_id).where(TicketAsset.ticket_id == result.ticket_id)
    )
    assert list(links) == [linked.id]


def test_incomplete_routing_writes_nothing(session: Session, setup: Setup) -> None:
    broken = replace(setup.source, settings=replace(setup.source.settings, board_id=None))
    savepoint = session.begin_nested()
    with pytest.raises(ValueError, match="board_id"):
        process(session, setup, incident(), source=broken)
    savepoint.rollback()
    assert (
        session.scalar(
            select(func.count()).select_from(Alert).where(Alert.tenant == setup.source.tenant)
        )
        == 0
    )
