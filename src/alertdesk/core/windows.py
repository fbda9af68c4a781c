"""Maintenance windows: one-off (end exclusive) or weekly in an IANA timezone, scoped."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@dataclass(frozen=True)
class WeeklyRecurrence:
    days: frozenset[int]  # 0 = Sunday … 6 = Saturday
    start_time: time
    end_time: time
    timezone: str


@dataclass(frozen=True)
class Window:
    id: uuid.UUID
    name: str = ""
    is_active: bool = True
    integration_id: uuid.UUID | None = None
    client_id: uuid.UUID | None = None
    asset_id: uuid.UUID | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    recurrence: WeeklyRecurrence | None = None


@dataclass(frozen=True)
class AlertScope:
    integration_id: uuid.UUID
    client_id: uuid.UUID | None
    asset_id: uuid.UUID | None


def _sunday_based(day: datetime) -> int:
    return (day.weekday() + 1) % 7  # Python: Monday = 0; windows: Sunday = 0


def in_weekly(recurrence: WeeklyRecurrence, at: datetime) -> bool:
    """Wall-clock test in the window's zone (so 22:00 stays 22:00 across DST changes).

    When end <= start the window crosses midnight: it covers a listed day from the start
    time on, and the following day until the end time. An unknown zone never matches.
    """
    try:
        local = at.astimezone(ZoneInfo(recurrence.timezone))
    except (ZoneInfoNotFoundError, ValueError, OSError, OverflowError):  # unknown zone, year 1…
        return False
    now, today = local.time(), _sunday_based(local)
    start, end = recurrence.start_time, recurrence.end_time
    if start < end:
        return today in recurrence.days and start <= now < end
    yesterday = (today + 6) % 7
    return (today in recurrence.days and now >= start) or (
        yesterday in recurrence.days and now < end
    )


def _in_scope(window: Window, scope: AlertScope) -> bool:
    return all(
        wanted is None or wanted == actual
        for wanted, actual in (
            (window.integration_id, scope.integration_id),
            (window.client_id, scope.client_id),
            (window.asset_id, scope.asset_id),
        )
    )


def _in_time(window: Window, at: datetime) -> bool:
    if window.recurrence is not None:
        return in_weekly(window.recurrence, at)
    if window.starts_at is not None and window.ends_at is not None:
        return window.starts_at <= at < window.ends_at
    return False


def covering_window(windows: Sequence[Window], scope: AlertScope, at: datetime) -> Window | None:
    """The first active window whose every set scope matches and whose time covers `at`."""
    for window in windows:
        if window.is_active and _in_scope(window, scope) and _in_time(window, at):
            return window
    return None


@dataclass(frozen=True)
class WindowState:
    active_now: bool
    next_start: datetime | None  # the next time it begins (after now); None: it never will


def window_state(window: Window, now: datetime) -> WindowState:
    """Whether the window covers `now` (ignoring scope and its on/off switch), and when it next
    begins: for a weekly one, the first listed day's start time after now, in its zone."""
    active = _in_time(window, now)
    if window.recurrence is None:
        upcoming = window.starts_at if window.starts_at and window.starts_at > now else None
        return WindowState(active, upcoming)
    return WindowState(active, _next_weekly_start(window.recurrence, now))


def _next_weekly_start(recurrence: WeeklyRecurrence, now: datetime) -> datetime | None:
    try:
        zone = ZoneInfo(recurrence.timezone)
        local = now.astimezone(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError, OverflowError):
        return None
    for ahead in range(8):
        day = local.date() + timedelta(days=ahead)
        start = datetime.combine(day, recurrence.start_time, tzinfo=zone)
        if _sunday_based(start) in recurrence.days and start > now:
            return start
    return None


def passed_windows(windows: Sequence[Window], scope: AlertScope, at: datetime) -> list[Window]:
    """The active windows for this alert's scope that did not cover `at`: the decision trace
    says each one did not apply at that time."""
    return [w for w in windows if w.is_active and _in_scope(w, scope) and not _in_time(w, at)]
