"""Huntress integration settings (the integration's JSON settings): tolerant parsing with
defaults and clamping, routing completeness, severity → priority prefill, and poll-due."""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, get_args

HuntressSeverity = Literal["critical", "high", "low"]
HUNTRESS_SEVERITIES: tuple[HuntressSeverity, ...] = get_args(HuntressSeverity)

DEFAULT_POLL_INTERVAL_MINUTES = 5
POLL_INTERVAL_RANGE = (1, 60)
DEFAULT_BACKFILL_DAYS = 7
BACKFILL_DAYS_RANGE = (1, 30)

# Priority names tried per severity, in order of preference (compared lower-cased).
SEVERITY_NAME_PREFERENCES: dict[HuntressSeverity, tuple[str, ...]] = {
    "critical": ("critical", "urgent"),
    "high": ("high",),
    "low": ("medium", "low"),
}


@dataclass(frozen=True)
class SeverityPriorityMap:
    """The priority id each Huntress severity maps to; None where not configured."""

    critical: uuid.UUID | None = None
    high: uuid.UUID | None = None
    low: uuid.UUID | None = None

    def get(self, severity: str) -> uuid.UUID | None:
        """The priority for a severity name (any case); None for an unknown severity."""
        key = severity.strip().lower()
        return getattr(self, key) if key in HUNTRESS_SEVERITIES else None

    def missing(self) -> tuple[HuntressSeverity, ...]:
        return tuple(s for s in HUNTRESS_SEVERITIES if getattr(self, s) is None)


@dataclass(frozen=True)
class HuntressSettings:
    """One Huntress integration's settings; the cursor and account identity are system-written."""

    poll_interval_minutes: int = DEFAULT_POLL_INTERVAL_MINUTES
    backfill_days: int = DEFAULT_BACKFILL_DAYS
    severity_priority_map: SeverityPriorityMap = SeverityPriorityMap()
    board_id: uuid.UUID | None = None
    category_id: uuid.UUID | None = None
    fallback_client_id: uuid.UUID | None = None
    fallback_board_id: uuid.UUID | None = None
    auto_close_tickets: bool = False
    closed_status_id: uuid.UUID | None = None
    notify_user_ids: tuple[uuid.UUID, ...] = ()
    incident_cursor: datetime | None = None  # the newest updated_at fully processed
    account_name: str | None = None
    account_subdomain: str | None = None


def parse_settings(raw: Mapping[str, Any] | str | None) -> HuntressSettings:
    """Settings from stored JSON (a mapping or its serialized text); garbage yields defaults."""
    data = _as_mapping(raw)
    return HuntressSettings(
        poll_interval_minutes=_bounded_int(
            data.get("poll_interval_minutes"), DEFAULT_POLL_INTERVAL_MINUTES, POLL_INTERVAL_RANGE
        ),
        backfill_days=_bounded_int(
            data.get("backfill_days"), DEFAULT_BACKFILL_DAYS, BACKFILL_DAYS_RANGE
        ),
        severity_priority_map=_priority_map(data.get("severity_priority_map")),
        board_id=_uuid(data.get("board_id")),
        category_id=_uuid(data.get("category_id")),
        fallback_client_id=_uuid(data.get("fallback_client_id")),
        fallback_board_id=_uuid(data.get("fallback_board_id")),
        auto_close_tickets=data.get("auto_close_tickets") is True,
        closed_status_id=_uuid(data.get("closed_status_id")),
        notify_user_ids=_uuid_list(data.get("notify_user_ids")),
        # An unreadable cursor falls back to the backfill window instead of stalling the walk.
        incident_cursor=parse_time(data.get("incident_cursor")),
        account_name=_text(data.get("account_name")),
        account_subdomain=_text(data.get("account_subdomain")),
    )


def missing_routing(settings: HuntressSettings) -> tuple[str, ...]:
    """Names of the routing settings still unset, in form order; empty when routing is complete."""
    missing = [
        name
        for name in ("board_id", "fallback_client_id", "fallback_board_id")
        if getattr(settings, name) is None
    ]
    missing += [f"severity_priority_map.{s}" for s in settings.severity_priority_map.missing()]
    return tuple(missing)


def routing_complete(settings: HuntressSettings) -> bool:
    """Board, fallback client and board, and all three severities set: polling may run."""
    return not missing_routing(settings)


def prefill_severity_priority_map(
    priorities: Iterable[tuple[uuid.UUID, str]],
) -> SeverityPriorityMap:
    """Map each severity to the first priority named like it (case-insensitive, exact)."""
    by_name: dict[str, uuid.UUID] = {}
    for priority_id, name in priorities:
        by_name.setdefault(name.strip().lower(), priority_id)
    chosen = {
        severity: next((by_name[n] for n in names if n in by_name), None)
        for severity, names in SEVERITY_NAME_PREFERENCES.items()
    }
    return SeverityPriorityMap(**chosen)


def is_poll_due(last_poll_at: datetime | str | None, interval_minutes: int, now: datetime) -> bool:
    """True when never polled (or unreadable) or at least `interval_minutes` have passed."""
    last = parse_time(last_poll_at)
    if last is None:
        return True
    return now - last >= timedelta(minutes=interval_minutes)


def parse_time(value: object) -> datetime | None:
    """An aware datetime from a datetime or ISO-8601 text; naive means UTC; else None."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _as_mapping(raw: object) -> Mapping[str, Any]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return {}
    return raw if isinstance(raw, Mapping) else {}


def _bounded_int(value: object, default: int, bounds: tuple[int, int]) -> int:
    # Only real numbers count: null, true or "" must not become 0 or 1 (the seed's Number()
    # turned a null interval into a one-minute poll).
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            number = None
    if number is None or not math.isfinite(number):
        return default
    low, high = bounds
    return int(min(high, max(low, number)))


def _priority_map(value: object) -> SeverityPriorityMap:
    data = value if isinstance(value, Mapping) else {}
    return SeverityPriorityMap(**{s: _uuid(data.get(s)) for s in HUNTRESS_SEVERITIES})


def _uuid(value: object) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    if not isinstance(value, str):
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _uuid_list(value: object) -> tuple[uuid.UUID, ...]:
    if not isinstance(value, list | tuple):
        return ()
    parsed = (_uuid(item) for item in value)
    return tuple(dict.fromkeys(u for u in parsed if u is not None))


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
