"""The lifecycle decision for one Huntress incident: create, note (and maybe close), record only,
or skip. Every rule lives here; the processor only carries the decision out."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from alertdesk.core.huntress.settings import HUNTRESS_SEVERITIES, HuntressSettings, parse_time

CLOSED_STATUSES = frozenset({"closed", "dismissed", "partner_dismissed"})
LAST_PROCESSED_KEY = "last_processed_updated_at"  # in the alert row's metadata
DECISION_OUTCOME = "huntress"  # the `outcome` of an incident alert's decision trace


@dataclass(frozen=True)
class ExistingAlert:
    """The alert row already recorded for the incident."""

    ticket_id: uuid.UUID | None
    status: str  # the raw Huntress status last recorded
    last_processed_updated_at: datetime | None = None

    @classmethod
    def from_row(
        cls, ticket_id: uuid.UUID | None, status: str, metadata: Mapping[str, Any] | None
    ) -> ExistingAlert:
        processed = parse_time((metadata or {}).get(LAST_PROCESSED_KEY))
        return cls(ticket_id=ticket_id, status=status, last_processed_updated_at=processed)


@dataclass(frozen=True)
class OrgMapping:
    """The organization's mapping row: its client (None while unmapped) and its opt-out."""

    client_id: uuid.UUID | None
    auto_create_tickets: bool = True


@dataclass(frozen=True)
class Skip:
    reason: Literal["deleting", "unchanged"]


@dataclass(frozen=True)
class RecordOnly:
    reason: Literal["org_opted_out", "already_closed", "no_linked_ticket"]


@dataclass(frozen=True)
class CreateTicket:
    client_id: uuid.UUID
    board_id: uuid.UUID
    priority_id: uuid.UUID
    category_id: uuid.UUID | None  # the category is for mapped clients only
    unmapped: bool


@dataclass(frozen=True)
class AppendNote:
    previous_status: str
    close_status_id: uuid.UUID | None = None  # set when the ticket is to be closed too

    @property
    def close(self) -> bool:
        return self.close_status_id is not None


IncidentAction = Skip | RecordOnly | CreateTicket | AppendNote


def is_closed_status(status: str) -> bool:
    return status in CLOSED_STATUSES


def plan_incident_action(
    incident: Mapping[str, Any],
    existing: ExistingAlert | None,
    mapping: OrgMapping | None,
    settings: HuntressSettings,
) -> IncidentAction:
    """What to do with one polled incident.

    Raises ValueError when a ticket is due but its routing (board, fallbacks, priority) is unset.
    """
    status = str(incident.get("status") or "")
    if status == "deleting":
        return Skip("deleting")
    if existing is not None:
        return _plan_existing(incident, status, existing, settings)
    # A new incident. An explicit opt-out on the mapping row wins, mapped or not.
    if mapping is not None and not mapping.auto_create_tickets:
        return RecordOnly("org_opted_out")
    if is_closed_status(status):
        return RecordOnly("already_closed")
    return _create(incident, mapping, settings)


def _plan_existing(
    incident: Mapping[str, Any], status: str, existing: ExistingAlert, settings: HuntressSettings
) -> IncidentAction:
    if not _changed(incident, status, existing):
        return Skip("unchanged")
    if existing.ticket_id is None:
        return RecordOnly("no_linked_ticket")  # no tickets after the fact
    close = is_closed_status(status) and settings.auto_close_tickets
    return AppendNote(existing.status, settings.closed_status_id if close else None)


def _changed(incident: Mapping[str, Any], status: str, existing: ExistingAlert) -> bool:
    if status != existing.status or existing.last_processed_updated_at is None:
        return True
    updated_at = parse_time(incident.get("updated_at"))
    return updated_at is not None and updated_at > existing.last_processed_updated_at


def _create(
    incident: Mapping[str, Any], mapping: OrgMapping | None, settings: HuntressSettings
) -> CreateTicket:
    priority_id = _priority(incident, settings)
    if mapping is not None and mapping.client_id is not None:
        return CreateTicket(
            client_id=mapping.client_id,
            board_id=_required(settings.board_id, "board_id"),
            priority_id=priority_id,
            category_id=settings.category_id,
            unmapped=False,
        )
    return CreateTicket(
        client_id=_required(settings.fallback_client_id, "fallback_client_id"),
        board_id=_required(settings.fallback_board_id, "fallback_board_id"),
        priority_id=priority_id,
        category_id=None,
        unmapped=True,
    )


def _priority(incident: Mapping[str, Any], settings: HuntressSettings) -> uuid.UUID:
    severity = str(incident.get("severity") or "").strip().lower()
    # Huntress knows critical, high and low only; a new severity is treated as high, not dropped.
    known = severity if severity in HUNTRESS_SEVERITIES else "high"
    priority_id = settings.severity_priority_map.get(known)
    return _required(priority_id, f"severity_priority_map.{known}")


def _required(value: uuid.UUID | None, name: str) -> uuid.UUID:
    # The poller runs only with complete routing; failing here keeps the cursor on the incident.
    if value is None:
        raise ValueError(f"Huntress routing incomplete: {name} is not set")
    return value
