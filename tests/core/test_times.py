"""Which vendor times are plausible (table-driven); extreme dates never overflow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from alertdesk.core.times import implausible

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
PLUS5 = timezone(timedelta(hours=5))
MINUS5 = timezone(timedelta(hours=-5))


@pytest.mark.parametrize(
    ("at", "problem"),
    [
        (NOW, None),
        (NOW - timedelta(days=3650), None),
        (NOW + timedelta(hours=23), None),
        (datetime(2000, 1, 1, tzinfo=UTC), None),
        (datetime(2026, 11, 30, 12, 0), None),  # naive: read as UTC
        (datetime(1999, 12, 31, 23, 59, tzinfo=UTC), "is before 2000"),
        (datetime(1, 1, 1, tzinfo=PLUS5), "is before 2000"),
        (datetime(1970, 1, 1, tzinfo=UTC), "is before 2000"),
        (NOW + timedelta(days=1, seconds=1), "is more than a day in the future"),
        (datetime(9999, 12, 31, 23, 59, 59, tzinfo=MINUS5), "is more than a day in the future"),
        (datetime.max, "is more than a day in the future"),
        (datetime.min, "is before 2000"),
    ],
)
def test_implausible(at: datetime, problem: str | None) -> None:
    assert implausible(at, NOW) == problem
