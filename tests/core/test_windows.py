"""T009: maintenance windows: one-off, weekly (timezone, midnight, DST), scope, activity."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta, timezone
from typing import Any

import pytest

from alertdesk.core.windows import (
    AlertScope,
    WeeklyRecurrence,
    Window,
    covering_window,
    in_weekly,
    passed_windows,
    window_state,
)

P = pytest.param
NY = "America/New_York"
INTEGRATION, CLIENT, ASSET, OTHER = (uuid.UUID(int=n) for n in (10, 20, 30, 99))
SCOPE = AlertScope(integration_id=INTEGRATION, client_id=CLIENT, asset_id=ASSET)
SUN, MON, TUE, FRI, SAT = 0, 1, 2, 5, 6


def utc(day: str, clock: str) -> datetime:
    """An instant from `YYYY-MM-DD` and `HH:MM` in UTC (2026-01-04 is a Sunday)."""
    return datetime.fromisoformat(f"{day}T{clock}:00+00:00")


def weekly(days: set[int], start: str, end: str, tz: str = "UTC") -> WeeklyRecurrence:
    return WeeklyRecurrence(
        days=frozenset(days),
        start_time=time.fromisoformat(start),
        end_time=time.fromisoformat(end),
        timezone=tz,
    )


def one_off(start: datetime, end: datetime, **fields: Any) -> Window:
    return Window(id=uuid.uuid4(), starts_at=start, ends_at=end, **fields)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        P(utc("2026-01-05", "10:00"), True, id="start-inclusive"),
        P(utc("2026-01-05", "11:59") + timedelta(seconds=59), True, id="just-before-end"),
        P(utc("2026-01-05", "12:00"), False, id="end-exclusive"),
        P(utc("2026-01-05", "09:59"), False, id="before-start"),
        P(utc("2026-01-06", "11:00"), False, id="next-day"),
        P(
            datetime(2026, 1, 5, 6, 30, tzinfo=timezone(timedelta(hours=-5))),
            True,
            id="other-offset",
        ),
    ],
)
def test_one_off_window(at: datetime, expected: bool) -> None:
    window = one_off(utc("2026-01-05", "10:00"), utc("2026-01-05", "12:00"))
    assert (covering_window([window], SCOPE, at) is window) is expected


def test_one_off_without_an_end_never_covers() -> None:
    window = Window(id=uuid.uuid4(), starts_at=utc("2026-01-01", "00:00"))
    assert covering_window([window], SCOPE, utc("2026-01-05", "10:00")) is None


@pytest.mark.parametrize(
    ("recurrence", "at", "expected"),
    [
        P(weekly({FRI}, "09:00", "17:00"), utc("2026-01-09", "09:00"), True, id="same-day-start"),
        P(weekly({FRI}, "09:00", "17:00"), utc("2026-01-09", "16:59"), True, id="same-day-inside"),
        P(weekly({FRI}, "09:00", "17:00"), utc("2026-01-09", "17:00"), False, id="same-day-end"),
        P(weekly({FRI}, "09:00", "17:00"), utc("2026-01-09", "08:59"), False, id="same-day-early"),
        P(weekly({FRI}, "09:00", "17:00"), utc("2026-01-08", "10:00"), False, id="unlisted-day"),
        P(weekly({MON, FRI}, "09:00", "17:00"), utc("2026-01-05", "10:00"), True, id="second-day"),
        P(weekly({FRI}, "22:00", "02:00"), utc("2026-01-09", "22:00"), True, id="midnight-start"),
        P(weekly({FRI}, "22:00", "02:00"), utc("2026-01-09", "23:30"), True, id="midnight-late"),
        P(weekly({FRI}, "22:00", "02:00"), utc("2026-01-09", "21:59"), False, id="midnight-early"),
        P(weekly({FRI}, "22:00", "02:00"), utc("2026-01-10", "01:59"), True, id="next-day-early"),
        P(weekly({FRI}, "22:00", "02:00"), utc("2026-01-10", "02:00"), False, id="next-day-end"),
        P(weekly({FRI}, "22:00", "02:00"), utc("2026-01-10", "22:30"), False, id="next-day-late"),
        P(weekly({FRI}, "22:00", "02:00"), utc("2026-01-09", "01:00"), False, id="day-before-out"),
        P(weekly({SAT}, "22:00", "02:00"), utc("2026-01-11", "01:00"), True, id="saturday-wraps"),
        P(weekly({SUN}, "22:00", "00:00"), utc("2026-01-04", "23:59"), True, id="ends-midnight"),
        P(weekly({SUN}, "22:00", "00:00"), utc("2026-01-05", "00:00"), False, id="midnight-end"),
    ],
)
def test_weekly_window_in_utc(recurrence: WeeklyRecurrence, at: datetime, expected: bool) -> None:
    assert in_weekly(recurrence, at) is expected


@pytest.mark.parametrize(
    ("recurrence", "at", "expected"),
    [
        P(weekly({MON}, "09:00", "17:00", NY), utc("2026-01-05", "14:00"), True, id="9am-est"),
        P(weekly({MON}, "09:00", "17:00", NY), utc("2026-01-05", "09:30"), False, id="930-utc"),
        P(weekly({MON}, "09:00", "17:00", NY), utc("2026-01-05", "22:00"), False, id="5pm-est"),
        P(weekly({MON}, "19:00", "21:00", NY), utc("2026-01-06", "01:00"), True, id="utc-tuesday"),
        P(weekly({TUE}, "00:00", "23:59", NY), utc("2026-01-06", "01:00"), False, id="ny-mon"),
    ],
)
def test_weekly_window_uses_its_timezone(
    recurrence: WeeklyRecurrence, at: datetime, expected: bool
) -> None:
    assert in_weekly(recurrence, at) is expected


FRIDAY_NIGHT_NY = weekly({FRI}, "22:00", "02:00", NY)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        P(utc("2026-03-07", "04:00"), True, id="mar-06-23h-est-before-dst"),
        P(utc("2026-03-07", "06:30"), True, id="mar-07-0130-est"),
        P(utc("2026-03-14", "03:00"), True, id="mar-13-23h-edt-after-dst"),
        P(utc("2026-03-14", "02:30"), True, id="mar-13-2230-edt-not-fixed-est"),
        P(utc("2026-03-14", "01:30"), False, id="mar-13-2130-edt"),
        P(utc("2026-03-14", "06:30"), False, id="mar-14-0230-edt"),
        P(utc("2026-10-31", "03:00"), True, id="oct-30-23h-edt-before-change"),
        P(utc("2026-11-07", "04:00"), True, id="nov-06-23h-est-after-change"),
        P(utc("2026-11-07", "02:30"), False, id="nov-06-2130-est-not-fixed-edt"),
        P(utc("2026-11-07", "06:30"), True, id="nov-07-0130-est"),
        P(utc("2026-11-07", "07:00"), False, id="nov-07-02h-est"),
    ],
)
def test_weekly_window_follows_dst(at: datetime, expected: bool) -> None:
    """22:00-02:00 Friday in New York stays 22:00 local when DST starts (Mar 8) and ends (Nov 1)."""
    assert in_weekly(FRIDAY_NIGHT_NY, at) is expected


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        P(utc("2026-03-08", "06:30"), True, id="spring-0130-est"),
        P(utc("2026-03-08", "06:59"), True, id="spring-0159-est"),
        P(utc("2026-03-08", "07:00"), False, id="spring-03h-edt"),
        P(utc("2026-11-01", "05:30"), True, id="fall-first-0130-edt"),
        P(utc("2026-11-01", "06:30"), True, id="fall-second-0130-est"),
        P(utc("2026-11-01", "07:00"), False, id="fall-02h-est"),
    ],
)
def test_weekly_window_on_the_night_of_the_change(at: datetime, expected: bool) -> None:
    assert in_weekly(weekly({SAT}, "22:00", "02:00", NY), at) is expected


@pytest.mark.parametrize("zone", [P("Mars/Olympus_Mons", id="unknown"), P("", id="empty")])
def test_unknown_timezone_never_suppresses(zone: str) -> None:
    window = Window(id=uuid.uuid4(), recurrence=weekly({*range(7)}, "00:00", "23:59", zone))
    assert covering_window([window], SCOPE, utc("2026-01-05", "10:00")) is None


@pytest.mark.parametrize("zone", [P("America", id="zone-directory"), P("x" * 300, id="too-long")])
def test_unusable_timezone_names_never_suppress(zone: str) -> None:
    assert not in_weekly(weekly({*range(7)}, "00:00", "23:59", zone), utc("2026-01-05", "10:00"))


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        P({}, True, id="tenant-wide"),
        P({"integration_id": INTEGRATION}, True, id="integration-match"),
        P({"integration_id": OTHER}, False, id="integration-mismatch"),
        P({"client_id": CLIENT}, True, id="client-match"),
        P({"client_id": OTHER}, False, id="client-mismatch"),
        P({"asset_id": ASSET}, True, id="asset-match"),
        P({"asset_id": OTHER}, False, id="asset-mismatch"),
        P({"integration_id": INTEGRATION, "client_id": CLIENT, "asset_id": ASSET}, True, id="all"),
        P({"integration_id": INTEGRATION, "client_id": OTHER}, False, id="one-of-two-mismatch"),
        P({"client_id": CLIENT, "asset_id": OTHER}, False, id="asset-differs-client-matches"),
    ],
)
def test_window_scope(scope: dict[str, Any], expected: bool) -> None:
    window = one_off(utc("2026-01-05", "00:00"), utc("2026-01-06", "00:00"), **scope)
    assert (covering_window([window], SCOPE, utc("2026-01-05", "10:00")) is window) is expected


@pytest.mark.parametrize(
    "scope",
    [P({"client_id": CLIENT}, id="client-scoped"), P({"asset_id": ASSET}, id="asset-scoped")],
)
def test_scoped_window_does_not_cover_alert_without_that_scope(scope: dict[str, Any]) -> None:
    window = one_off(utc("2026-01-05", "00:00"), utc("2026-01-06", "00:00"), **scope)
    bare = AlertScope(integration_id=INTEGRATION, client_id=None, asset_id=None)
    assert covering_window([window], bare, utc("2026-01-05", "10:00")) is None


AT = utc("2026-01-05", "10:00")
COVERS = (utc("2026-01-05", "00:00"), utc("2026-01-06", "00:00"))
MISSES = (utc("2026-01-06", "00:00"), utc("2026-01-07", "00:00"))


@pytest.mark.parametrize(
    ("windows", "expected"),
    [
        P([one_off(*COVERS, is_active=False)], None, id="inactive-ignored"),
        P([one_off(*COVERS, is_active=False), one_off(*COVERS)], 1, id="inactive-then-active"),
        P([one_off(*COVERS), one_off(*COVERS)], 0, id="first-covering-returned"),
        P([one_off(*MISSES), one_off(*COVERS)], 1, id="skips-non-covering"),
        P([one_off(*COVERS, client_id=OTHER), one_off(*COVERS)], 1, id="skips-out-of-scope"),
        P([], None, id="no-windows"),
    ],
)
def test_covering_window_selection(windows: list[Window], expected: int | None) -> None:
    found = covering_window(windows, SCOPE, AT)
    assert found is (None if expected is None else windows[expected])


MORNING = one_off(utc("2026-01-05", "10:00"), utc("2026-01-05", "12:00"))


def every(days: set[int], start: str, end: str, tz: str = "UTC") -> Window:
    return Window(id=INTEGRATION, recurrence=weekly(days, start, end, tz))


@pytest.mark.parametrize(
    ("window", "at", "active", "next_start"),
    [
        P(MORNING, utc("2026-01-05", "09:00"), False, utc("2026-01-05", "10:00"), id="ahead"),
        P(MORNING, utc("2026-01-05", "11:00"), True, None, id="one-off-running"),
        P(MORNING, utc("2026-01-05", "12:00"), False, None, id="one-off-ended"),
        P(every({SAT}, "22:00", "04:00"), utc("2026-01-04", "12:00"),
          False, utc("2026-01-10", "22:00"), id="weekly-next-saturday"),
        P(every({SUN}, "22:00", "04:00"), utc("2026-01-04", "12:00"),
          False, utc("2026-01-04", "22:00"), id="weekly-later-today"),
        P(every({SAT}, "22:00", "04:00"), utc("2026-01-04", "02:00"),
          True, utc("2026-01-10", "22:00"), id="weekly-past-midnight-running"),
        P(every({SUN}, "22:00", "23:00"), utc("2026-01-04", "22:30"),
          True, utc("2026-01-11", "22:00"), id="weekly-running-next-week"),
        P(every({SUN}, "01:00", "02:00", NY), utc("2026-01-04", "12:00"),
          False, utc("2026-01-11", "06:00"), id="weekly-in-its-zone"),
        P(every({SUN}, "01:00", "02:00", "Mars/Base"), utc("2026-01-04", "12:00"),
          False, None, id="unknown-zone-never"),
    ],
)  # fmt: skip
def test_window_state(
    window: Window, at: datetime, active: bool, next_start: datetime | None
) -> None:
    state = window_state(window, at)
    assert (state.active_now, state.next_start) == (active, next_start)


def test_passed_windows_are_the_active_in_scope_ones_that_did_not_cover() -> None:
    at = utc("2026-01-05", "11:00")
    later = one_off(utc("2026-01-05", "14:00"), utc("2026-01-05", "15:00"), name="later")
    covering = one_off(utc("2026-01-05", "10:00"), utc("2026-01-05", "12:00"), name="now")
    elsewhere = one_off(utc("2026-01-05", "14:00"), utc("2026-01-05", "15:00"), client_id=OTHER)
    off = one_off(utc("2026-01-05", "14:00"), utc("2026-01-05", "15:00"), is_active=False)
    weekly_later = every({MON}, "20:00", "21:00")
    windows = [later, covering, elsewhere, off, weekly_later]
    assert passed_windows(windows, SCOPE, at) == [later, weekly_later]
