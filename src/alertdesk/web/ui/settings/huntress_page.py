"""The Huntress integration page's parts: status and banners, and the routing form (boards,
fallback client, severity → priority, polling, auto-close) read from and into its settings."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from alertdesk.core.huntress.settings import HUNTRESS_SEVERITIES, missing_routing, parse_settings
from alertdesk.services.huntress import settings as huntress_settings
from alertdesk.services.tickets.boards import list_categories
from alertdesk.storage.models import Integration, User
from alertdesk.web.ui.workspace import Lookups

IDS = ("board_id", "category_id", "fallback_client_id", "fallback_board_id", "closed_status_id")
NUMBERS = ("poll_interval_minutes", "backfill_days")
MISSING_LABELS = {
    "board_id": "a security board",
    "fallback_client_id": "a fallback client",
    "fallback_board_id": "a triage board",
    **{f"severity_priority_map.{s}": f"a priority for {s} incidents" for s in HUNTRESS_SEVERITIES},
}


def routing_values(integration: Integration) -> dict[str, Any]:
    """The routing form's values as stored (ids as text; severities flattened)."""
    stored = integration.settings
    values: dict[str, Any] = {k: str(stored.get(k) or "") for k in IDS}
    settings = parse_settings(stored)
    values |= {"poll_interval_minutes": str(settings.poll_interval_minutes),
               "backfill_days": str(settings.backfill_days),
               "auto_close_tickets": settings.auto_close_tickets,
               "notify_user_ids": [str(u) for u in settings.notify_user_ids]}  # fmt: skip
    for severity in HUNTRESS_SEVERITIES:
        values[severity] = str(getattr(settings.severity_priority_map, severity) or "")
    return values


def page_context(session: Session, user: User, integration: Integration) -> dict[str, Any]:
    """What the Huntress page shows besides the shared integration header."""
    lookups = Lookups.load(session, user.tenant)
    missing = missing_routing(parse_settings(integration.settings))
    return {
        "status": huntress_settings.status(session, integration),
        "missing": [MISSING_LABELS[m] for m in missing],
        "routing": routing_values(integration),
        "routing_errors": {},
        "boards": [(b.id, b.name) for b, _ in lookups.boards],
        "closed_statuses": [
            (s.id, f"{b.name} — {s.name}")
            for b, statuses in lookups.boards
            for s in statuses
            if s.is_closed
        ],
        "priorities": [(p.id, p.name) for p in lookups.priorities],
        "categories": [(c.id, c.name) for c in list_categories(session, user.tenant)],
        "active_users": [(u.id, u.name) for u in lookups.users if u.is_active],
        "severities": HUNTRESS_SEVERITIES,
    }


def posted_changes(data: FormData) -> tuple[dict[str, Any], dict[str, str]]:
    """The settings change the routing form asks for, and the fields that are not numbers."""
    text = {k: v.strip() for k, v in data.items() if isinstance(v, str)}
    changes: dict[str, Any] = {k: text.get(k) or None for k in IDS}
    errors: dict[str, str] = {}
    for key in NUMBERS:
        try:
            changes[key] = int(text.get(key, ""))
        except ValueError:
            errors[key] = "Enter a whole number."
    changes["severity_priority_map"] = {s: text.get(s) or None for s in HUNTRESS_SEVERITIES}
    changes["auto_close_tickets"] = "auto_close_tickets" in text
    changes["notify_user_ids"] = [v for v in data.getlist("notify_user_ids") if isinstance(v, str)]
    return changes, errors


def form_field(field: str) -> str:
    """ "settings.severity_priority_map.high" → "high"; "settings.board_id.0" → "board_id"."""
    parts = [p for p in field.split(".") if p not in ("settings", "severity_priority_map")]
    return parts[0] if parts else "board_id"


def readable(field: str, message: str) -> str:
    """A picker's refusal asks for a choice; a number's says what it must be."""
    if form_field(field) in (*IDS, *HUNTRESS_SEVERITIES, "notify_user_ids") and (
        message.startswith(("Input should be", "UUID", "Input is not"))
    ):
        return "Choose one from the list."
    return message


def as_values(changes: dict[str, Any], data: FormData) -> dict[str, Any]:
    """What the admin sent, to show again beside the errors."""
    values = {k: v or "" for k, v in changes.items() if k != "severity_priority_map"}
    values |= {s: v or "" for s, v in changes["severity_priority_map"].items()}
    return values | {k: str(data.get(k, "")) for k in NUMBERS}
