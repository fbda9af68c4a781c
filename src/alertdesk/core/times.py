"""Plausible vendor times: a clock that is off by decades must not date an alert."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)  # vendor clocks run a little ahead; a day is generous


def implausible(at: datetime, now: datetime) -> str | None:
    """Why `at` cannot be a real event time (before 2000, or over a day after `now`), or None.

    A naive `at` is read as UTC; comparisons never overflow, even for year 1 or 9999.
    """
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    if aware < EARLIEST:
        return "is before 2000"
    if aware - now > FUTURE_SLACK:
        return "is more than a day in the future"
    return None
