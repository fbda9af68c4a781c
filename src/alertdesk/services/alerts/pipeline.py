"""process_alert_event: every source's alerts go through here (webhook, poll, replay).

Triggered: lock the alert's keys → load context → windows → rules → dedup or new ticket,
with the outbox events and the decision trace written in the same transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from alertdesk.core.actors import SYSTEM
from alertdesk.core.dedup import condition_lock_key, dedup_key, lock_keys
from alertdesk.core.rules import CompiledRules, Rule, RuleMatch, match_compiled
from alertdesk.core.times import implausible
from alertdesk.core.types import AlertEvent, Outcome, OutcomeKind, ordinal
from alertdesk.core.windows import AlertScope, Window, covering_window, passed_windows
from alertdesk.errors import AlertdeskError
from alertdesk.services.alerts.alert_tickets import (
    AlertTicketRequest,
    alert_ticket_draft,
)
from alertdesk.services.alerts.compiled import IntegrationConfig, config_of
from alertdesk.services.alerts.lifecycle import acknowledge, reset
from alertdesk.services.automation import events
from alertdesk.services.tickets.opener import add_system_note, open_ticket
from alertdesk.storage.alert_context import AlertContext, load_context, searched
from alertdesk.storage.alert_queries import (
    count_occurrence,
    lock_alert_keys_with_next,
    open_alert_by_dedup_key,
    remember_ticket_alert,
)
from alertdesk.storage.models import Alert
from alertdesk.storage.rows import insert_new, new_row

REDELIVERY_STATUSES = frozenset({"active", "acknowledged", "suppressed"})
ENDED = frozenset({"resolved", "auto_resolved"})
EARLY_RESET = "reset_before_trigger"  # decision flag: the row was made by a reset, not a trigger


def process_alert_event(
    session: Session,
    event: AlertEvent,
    now: datetime,
    *,
    ingest_source: str = "webhook",
    reprocess_suppressed: bool = False,
) -> Outcome:
    event = plausible_time(event, now)
    key = dedup_key(event)
    keys = lock_keys(event.external_org_id, key, event.external_alert_id)
    lock_alert_keys_with_next(session, event.tenant, event.integration_id, keys)
    context = load_context(session, event, key)  # in one round trip with the locks
    if event.kind == "reset":
        existing = context.existing
        if event.match_by_dedup_key and (existing is None or existing.status in ENDED):
            existing = open_alert_by_dedup_key(session, event, key) or existing
        if existing is None:
            return _out_of_order(session, event, key, context, ingest_source, now)
        return reset(session, event, existing, now)
    if event.kind == "acknowledged":
        return acknowledge(session, context.existing, event, now)
    existing = context.existing
    if existing is not None and _reset_came_first(existing, event):
        return _out_of_order(session, event, key, context, ingest_source, now)
    if existing is not None and _is_redelivery(existing, event, reprocess_suppressed):
        existing.updated_at = now
        session.flush()
        return Outcome("skipped", alert_id=existing.id, ticket_id=existing.ticket_id)
    window_at = now if reprocess_suppressed else event.occurred_at
    if existing is not None and context.own_ticket_open:
        window = _covering(session, event, context, window_at)
        if window is not None:
            return _refire_in_window(session, event, existing, window, now)
        return _refire_on_own_ticket(session, event, existing, now)
    alert = _stored_alert(event, key, context, ingest_source, now)
    with session.no_autoflush:  # the alert is written once, when its outcome is known
        return _decide(session, event, alert, context, window_at, now)


def plausible_time(event: AlertEvent, now: datetime) -> AlertEvent:
    """A vendor time before 2000 or over a day ahead is replaced by `now` (noted in the trace)."""
    problem = implausible(event.occurred_at, now)
    if problem is None:
        return event
    shown = event.occurred_at.isoformat()[:40]
    warning = f"the vendor's time {shown} {problem}; the time it was received is used instead"
    return replace(event, occurred_at=now, warnings=(*event.warnings, warning))


def _reset_came_first(alert: Alert, event: AlertEvent) -> bool:
    resolved_at = alert.resolved_at
    return (
        bool(alert.decision.get(EARLY_RESET))
        and resolved_at is not None
        and (event.occurred_at <= resolved_at)
    )


def _out_of_order(
    session: Session,
    event: AlertEvent,
    key: str,
    context: AlertContext,
    source: str,
    now: datetime,
) -> Outcome:
    """Webhooks arrive out of order. A reset with no alert yet is kept as a resolved alert;
    its trigger, when it comes and is older, fills in the details and opens no ticket."""
    early = context.existing
    outcome: OutcomeKind
    if early is None or early.resolved_at is None:
        resolved_at, outcome = event.occurred_at, "resolved"
        reason = "the reset arrived before its trigger"
    else:
        resolved_at, outcome = early.resolved_at, "recorded_only"
        reason = "already resolved: its reset arrived before this trigger"
    alert = _stored_alert(event, key, context, source, now)
    alert.status, alert.resolved_at = "resolved", resolved_at
    alert.decision = {
        "outcome": outcome,
        "window": None,
        "rule": None,
        "reason": reason,
        "warnings": list(event.warnings),
        EARLY_RESET: early is None,
    }
    _write(session, alert)
    return Outcome(outcome, alert_id=alert.id, warnings=event.warnings)


def _covering(
    session: Session, event: AlertEvent, context: AlertContext, at: datetime
) -> Window | None:
    return _windows(session, event, context, at)[0]


def _windows(
    session: Session, event: AlertEvent, context: AlertContext, at: datetime
) -> tuple[Window | None, list[Window]]:
    """The window covering the alert, and the active ones of its scope that did not."""
    scope = AlertScope(event.integration_id, context.client_id, context.asset_id)
    windows = _config(session, event, context).windows
    return covering_window(windows, scope, at), passed_windows(windows, scope, at)


def _refire_in_window(
    session: Session, event: AlertEvent, alert: Alert, window: Window, now: datetime
) -> Outcome:
    """A resolved alert fires again during a maintenance window while its ticket is still
    open: suppressed (no note, no event), still linked to the ticket; if it is still firing
    when the window ends, the poller re-runs it onto that ticket."""
    alert.status, alert.resolved_at, alert.acknowledged_at = "suppressed", None, None
    alert.suppressed_by_window_id, alert.updated_at = window.id, now
    alert.last_occurrence_at = event.occurred_at
    reason = f"fired again inside maintenance window {window.name!r}"
    alert.decision = {**alert.decision, "refire": {"window": _named(window), "reason": reason}}
    session.flush()
    return Outcome("suppressed", alert_id=alert.id, window_id=window.id, warnings=event.warnings)


def _refire_on_own_ticket(
    session: Session, event: AlertEvent, alert: Alert, now: datetime
) -> Outcome:
    """A resolved alert fires again while its ticket is still open: one more occurrence there."""
    assert alert.ticket_id is not None
    alert.status, alert.resolved_at, alert.acknowledged_at = "active", None, None
    alert.suppressed_by_window_id = None
    alert.outbound_status = alert.outbound_error = alert.outbound_at = None
    alert.occurrence_count += 1
    alert.last_occurrence_at, alert.updated_at = event.occurred_at, now
    note = _occurrence_note(alert.occurrence_count, event)
    add_system_note(session, event.tenant, alert.ticket_id, note, now)
    dedup = {"ticket_id": str(alert.ticket_id), "occurrence": alert.occurrence_count}
    trace = {**alert.decision, "dedup": dedup, "warnings": list(event.warnings)}
    return _finish(session, event, alert, "occurrence_appended", trace, now)


def _is_redelivery(existing: Alert, event: AlertEvent, reprocess_suppressed: bool) -> bool:
    """Still open (nothing to do), or a late copy of a trigger whose reset already came."""
    open_statuses = REDELIVERY_STATUSES - ({"suppressed"} if reprocess_suppressed else set())
    if existing.status in open_statuses:
        return True
    return existing.resolved_at is not None and event.occurred_at < existing.resolved_at


def _stored_alert(
    event: AlertEvent, key: str, context: AlertContext, source: str, now: datetime
) -> Alert:
    """The alert row, new or re-activated (a resolved alert that fires again starts over)."""
    values = {
        "external_device_id": _clip(event.external_device_id, 255),
        "external_alert_uid": _clip(event.external_alert_uid, 255),
        "external_org_id": _clip(event.external_org_id, 255),
        "asset_id": context.asset_id, "client_id": context.client_id,
        "severity": event.severity, "status": "active",
        "activity_type": _clip(event.activity_type, 100),
        "source_type": _clip(event.source_type, 100),
        "alert_class": _clip(event.alert_class, 255), "message": event.message,
        "device_name": _clip(event.device_name, 255), "dedup_key": key,
        "triggered_at": event.occurred_at, "last_occurrence_at": event.occurred_at,
        "ticket_id": None, "resolved_at": None, "suppressed_by_window_id": None,
        "acknowledged_at": None, "acknowledged_by": None,
        "matched_rule_id": None, "auto_ticket_created": False,
        "outbound_status": None, "outbound_error": None, "outbound_at": None,
        "occurrence_count": 1, "ingest_source": source,
        "raw": dict(event.raw), "updated_at": now,
    }  # fmt: skip
    alert = context.existing
    if alert is None:
        return new_row(Alert, tenant=event.tenant, id=uuid.uuid4(), created_at=now,
                       integration_id=event.integration_id,
                       external_alert_id=event.external_alert_id, **values)  # fmt: skip
    for name, value in values.items():
        setattr(alert, name, value)
    return alert


def _write(session: Session, alert: Alert) -> None:
    """A new alert is inserted at once (Core: the hot path's costliest ORM step); changes to a
    stored one are flushed."""
    if inspect(alert).transient:
        insert_new(session, alert)
    else:
        session.flush()


def _clip(value: str | None, limit: int) -> str | None:
    """Vendor text beyond the column's size is cut, not a reason to lose the alert."""
    return value[:limit] if value is not None else None


def _decide(
    session: Session,
    event: AlertEvent,
    alert: Alert,
    context: AlertContext,
    window_at: datetime,
    now: datetime,
) -> Outcome:
    window, passed = _windows(session, event, context, window_at)
    if window is not None:
        return _suppress(session, event, alert, window)
    rules = _config(session, event, context).rules
    match = match_compiled(rules, event)
    alert.matched_rule_id = match.rule.id if match.rule else None
    trace: dict[str, Any] = {
        "window": None,
        "windows_passed": [_named(w) for w in passed],
        "rule": _ranked(match.rule, rules),
        "warnings": [*event.warnings, *match.warnings],
    }
    if match.actions is None or not match.actions.create_ticket:
        reason = _record_only_reason(match)
        return _finish(session, event, alert, "recorded_only", trace | {"reason": reason}, now)
    context = searched(session, event, alert.dedup_key, context)
    if context.dedup_ticket_id is not None:
        return _append_occurrence(session, event, alert, context, trace, now)
    if context.client_id is None:
        trace["warnings"].append("no client: map the organization or link the device to an asset")
        reason = "no client could be resolved for this alert"
        return _finish(session, event, alert, "recorded_only", trace | {"reason": reason}, now)
    request = AlertTicketRequest(
        event, context.client_id, context.asset_id, context.organization, match.actions
    )
    try:
        ticket = open_ticket(
            session, event.tenant, alert_ticket_draft(session, request), SYSTEM, now
        )
    except AlertdeskError as exc:  # raised before anything was written
        trace["warnings"].append(f"ticket not created: {exc.message}")
        return _finish(session, event, alert, "recorded_only", trace | {"reason": exc.message}, now)
    alert.ticket_id, alert.auto_ticket_created = ticket.id, True
    _remember(session, event, alert.dedup_key, alert.id)
    trace["ticket"] = {"id": str(ticket.id), "number": ticket.number, "created": True}
    return _finish(session, event, alert, "ticket_created", trace, now)


def _config(session: Session, event: AlertEvent, context: AlertContext) -> IntegrationConfig:
    return config_of(session, event.tenant, event.integration_id, context.config_version)


def _ranked(rule: Rule | None, rules: CompiledRules) -> dict[str, Any] | None:
    """The matched rule for the trace, with its place among the active rules (1 = first)."""
    if rule is None:
        return None
    position = next(i for i, compiled in enumerate(rules, 1) if compiled.rule is rule)
    return {"id": str(rule.id), "name": rule.name, "position": position}


def _named(item: Any) -> dict[str, str] | None:
    return None if item is None else {"id": str(item.id), "name": item.name}


def _record_only_reason(match: RuleMatch) -> str:
    if match.rule is None:
        return "no active rule matched"
    if match.actions is None:
        return f"rule {match.rule.name!r} has invalid actions"
    return f"rule {match.rule.name!r} records alerts without creating tickets"


def _suppress(session: Session, event: AlertEvent, alert: Alert, window: Window) -> Outcome:
    alert.status, alert.suppressed_by_window_id = "suppressed", window.id
    alert.decision = {
        "outcome": "suppressed",
        "window": _named(window),
        "rule": None,
        "reason": f"inside maintenance window {window.name!r}",
        "warnings": list(event.warnings),
    }
    _write(session, alert)
    return Outcome("suppressed", alert_id=alert.id, window_id=window.id, warnings=event.warnings)


def _append_occurrence(
    session: Session,
    event: AlertEvent,
    alert: Alert,
    context: AlertContext,
    trace: dict[str, Any],
    now: datetime,
) -> Outcome:
    trace["dedup"] = join_condition_ticket(session, event, alert, context, now)
    return _finish(session, event, alert, "occurrence_appended", trace, now)


def join_condition_ticket(
    session: Session,
    event: AlertEvent,
    alert: Alert,
    context: AlertContext,
    now: datetime,
    heading: str = "Alert re-triggered",
) -> dict[str, Any]:
    """Join the open ticket of the same dedup key: count on its first alert, note on the ticket
    (`heading` starts the note); the dedup trace is returned. The condition's keys are locked."""
    assert context.dedup_alert_id is not None
    assert context.dedup_ticket_id is not None
    occurrence = context.dedup_occurrences + 1
    count_occurrence(session, event.tenant, context.dedup_alert_id, occurrence, event.occurred_at)
    note = _occurrence_note(occurrence, event, heading)
    add_system_note(session, event.tenant, context.dedup_ticket_id, note, now)
    if not context.dedup_remembered:  # found by a search: the next repeat finds it by key
        _remember(session, event, alert.dedup_key, context.dedup_alert_id)
    alert.ticket_id = context.dedup_ticket_id
    return {
        "ticket_id": str(context.dedup_ticket_id),
        "first_alert_id": str(context.dedup_alert_id),
        "occurrence": occurrence,
    }


def _remember(session: Session, event: AlertEvent, key: str, alert_id: uuid.UUID) -> None:
    condition = condition_lock_key(event.external_org_id, key)
    remember_ticket_alert(session, event.tenant, event.integration_id, condition, alert_id)


def _occurrence_note(
    occurrence: int, event: AlertEvent, heading: str = "Alert re-triggered"
) -> str:
    note = f"{heading} — {ordinal(occurrence)} occurrence."
    note += f"\nExternal alert ID: {event.external_alert_id}"
    return f"{note}\n{event.message}" if event.message else note


def _finish(
    session: Session,
    event: AlertEvent,
    alert: Alert,
    outcome: str,
    trace: dict[str, Any],
    now: datetime,
) -> Outcome:
    alert.decision = {**trace, "outcome": outcome}
    _write(session, alert)
    events.publish(
        session,
        event.tenant,
        events.RMM_ALERT_TRIGGERED,
        events.alert_payload(event.provider, alert),
        now,
    )
    return Outcome(
        outcome,  # type: ignore[arg-type]
        alert_id=alert.id,
        ticket_id=alert.ticket_id,
        rule_id=alert.matched_rule_id,
        warnings=tuple(trace.get("warnings", ())),
    )
