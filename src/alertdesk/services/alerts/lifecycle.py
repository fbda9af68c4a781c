"""Resets and acknowledgements: resolve the alert and, when the rule says so, close its ticket
if nobody has worked on it (as the system, so the close never echoes back to the vendor)."""

from __future__ import annotations

from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from alertdesk.core.actors import SYSTEM
from alertdesk.core.rules import RuleActions
from alertdesk.core.types import AlertEvent, Outcome, provider_label
from alertdesk.core.untouched import is_untouched
from alertdesk.errors import Conflict
from alertdesk.services.automation import events
from alertdesk.services.tickets.opener import add_system_note
from alertdesk.services.tickets.work import first_closed_status, set_status
from alertdesk.storage.alert_queries import ticket_snapshot
from alertdesk.storage.models import Alert, AlertRule, Ticket, TicketStatus

CLOSED_NOTE = (
    "Ticket closed automatically: the alert resolved and the ticket had no human activity."
)


def acknowledge(session: Session, alert: Alert | None, event: AlertEvent, now: datetime) -> Outcome:
    if alert is None or alert.status != "active":
        return Outcome("skipped", alert_id=alert.id if alert else None)
    alert.status, alert.acknowledged_at, alert.updated_at = "acknowledged", event.occurred_at, now
    _note_corrections(alert, event)
    session.flush()
    return Outcome(
        "acknowledged", alert_id=alert.id, ticket_id=alert.ticket_id, warnings=event.warnings
    )


def _note_corrections(alert: Alert, event: AlertEvent) -> None:
    """What was corrected on the way in (e.g. an implausible vendor time) joins the trace."""
    if event.warnings:
        noted = [*alert.decision.get("warnings", []), *event.warnings]
        alert.decision = {**alert.decision, "warnings": noted}


def reset(session: Session, event: AlertEvent, alert: Alert | None, now: datetime) -> Outcome:
    if alert is None or alert.status in ("resolved", "auto_resolved"):
        return Outcome("skipped", alert_id=alert.id if alert else None)
    was_suppressed = alert.status == "suppressed"
    alert.status, alert.resolved_at, alert.updated_at = "resolved", event.occurred_at, now
    _note_corrections(alert, event)
    if was_suppressed:  # quietly: no ticket work, no event
        alert.decision = {**alert.decision, "resolution": "resolved while suppressed"}
        session.flush()
        window_id = alert.suppressed_by_window_id
        return Outcome("resolved", alert_id=alert.id, window_id=window_id, warnings=event.warnings)
    warnings: list[str] = list(event.warnings)
    actions = _rule_actions(session, alert)
    if alert.ticket_id is not None and actions is not None and actions.auto_resolve_ticket:
        warnings += _auto_resolve(session, event, alert, actions, now)
    payload = events.alert_payload(event.provider, alert)
    events.publish(session, alert.tenant, events.RMM_ALERT_RESOLVED, payload, now)
    session.flush()
    return Outcome(
        "resolved",
        alert_id=alert.id,
        ticket_id=alert.ticket_id,
        rule_id=alert.matched_rule_id,
        warnings=tuple(warnings),
    )


def _rule_actions(session: Session, alert: Alert) -> RuleActions | None:
    if alert.matched_rule_id is None or alert.ticket_id is None:
        return None
    raw = session.scalar(
        select(AlertRule.actions).where(
            AlertRule.tenant == alert.tenant, AlertRule.id == alert.matched_rule_id
        )
    )
    try:
        return None if raw is None else RuleActions.model_validate(raw)
    except ValidationError:
        return None


def _auto_resolve(
    session: Session, event: AlertEvent, alert: Alert, actions: RuleActions, now: datetime
) -> list[str]:
    """Always note the reset on the ticket; close it only when untouched and no alert is left."""
    assert alert.ticket_id is not None
    label = provider_label(event.provider)
    note = f"Alert resolved in {label}.\nExternal alert ID: {alert.external_alert_id}"
    add_system_note(session, alert.tenant, alert.ticket_id, note, now)
    # lock the ticket first: a comment or time entry being saved right now touches this row
    ticket = session.get_one(Ticket, (alert.tenant, alert.ticket_id), with_for_update=True)
    snapshot, others = ticket_snapshot(session, alert.tenant, alert.ticket_id, alert.id)
    if not is_untouched(snapshot) or others:
        reason = "other alerts on it are still active" if others else "a person has worked on it"
        alert.decision = {**alert.decision, "resolution": f"ticket left open: {reason}"}
        return []
    status, warnings = _close_status(session, ticket, actions)
    if status is None:
        return warnings
    set_status(session, ticket, status, SYSTEM, now)
    ticket.updated_at = now
    add_system_note(session, alert.tenant, ticket.id, CLOSED_NOTE, now)
    alert.status = "auto_resolved"
    alert.decision = {**alert.decision, "resolution": "ticket closed automatically"}
    return warnings


def _close_status(
    session: Session, ticket: Ticket, actions: RuleActions
) -> tuple[TicketStatus | None, list[str]]:
    if actions.auto_resolve_status_id is not None:
        chosen = session.get(TicketStatus, (ticket.tenant, actions.auto_resolve_status_id))
        if chosen is not None and chosen.board_id == ticket.board_id and chosen.is_closed:
            return chosen, []
    warnings = (
        ["the rule's auto-resolve status is not a closed status of this board; used the first one"]
        if actions.auto_resolve_status_id is not None
        else []
    )
    try:
        return first_closed_status(session, ticket), warnings
    except Conflict:
        return None, [*warnings, "the ticket's board has no closed status; ticket left open"]
