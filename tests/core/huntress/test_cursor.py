"""The Huntress incident cursor walk: boundary, paging, order, runaway guard (seed 001 Task 4)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from alertdesk.core.huntress.cursor import (
    MAX_PAGES,
    CursorWalk,
    IncidentPage,
    advance_cursor,
    incident_updated_at,
    parse_incident_page,
    walk_boundary,
    walk_pages,
)

FIXTURES = Path(__file__).resolve().parents[4] / "shared" / "fixtures" / "huntress"
P = pytest.param
NOW = datetime(2026, 6, 9, 12, 0, tzinfo=UTC)
CURSOR = datetime(2026, 6, 9, 9, 0, tzinfo=UTC)


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def incident(incident_id: int, updated_at: str) -> dict[str, Any]:
    """The fixture's first incident report, re-identified and re-dated."""
    row = dict(load("incident_reports_page.json")["incident_reports"][0])
    return row | {"id": incident_id, "updated_at": updated_at, "sent_at": updated_at}


def page(*incidents: dict[str, Any], next_token: str | None = None) -> IncidentPage:
    return IncidentPage(tuple(incidents), next_token)


class Feed:
    """Already-fetched pages handed out one at a time, counting how many were read."""

    def __init__(self, pages: Iterable[IncidentPage]) -> None:
        self.pages = iter(pages)
        self.read = 0

    def __iter__(self) -> Iterator[IncidentPage]:
        for item in self.pages:
            self.read += 1
            yield item


def walk(feed: Feed, cursor: datetime | None = CURSOR, **kwargs: Any) -> CursorWalk:
    return walk_pages(feed, walk_boundary(cursor, 7, NOW), **kwargs)


def ids(result: CursorWalk) -> list[int]:
    return [row["id"] for row in result.incidents]


def test_collects_incidents_newer_than_the_cursor_ascending() -> None:
    feed = Feed(
        [
            page(
                incident(3, "2026-06-09T11:00:00Z"),
                incident(2, "2026-06-09T10:00:00Z"),
                incident(1, "2026-06-08T10:00:00Z"),  # older than the cursor: the boundary
            ),
            page(incident(0, "2026-06-09T11:30:00Z")),  # never read
        ]
    )
    result = walk(feed)
    assert ids(result) == [2, 3]
    assert (feed.read, result.pages_read, result.truncated) == (1, 1, False)


@pytest.mark.parametrize(
    ("updated_at", "collected"),
    [
        P("2026-06-09T08:59:30Z", True, id="inside-overlap"),
        P("2026-06-09T08:59:00Z", True, id="exactly-cursor-minus-60s"),
        P("2026-06-09T08:58:59Z", False, id="just-outside-overlap"),
    ],
)
def test_overlap_window_before_the_cursor(updated_at: str, collected: bool) -> None:
    feed = Feed([page(incident(2, updated_at), incident(1, "2026-06-09T08:00:00Z"))])
    assert ids(walk(feed)) == ([2] if collected else [])


def test_walks_pages_until_the_boundary() -> None:
    feed = Feed(
        [
            page(
                incident(4, "2026-06-09T11:00:00Z"),
                incident(3, "2026-06-09T10:30:00Z"),
                next_token="p2",
            ),
            page(incident(2, "2026-06-09T10:00:00Z"), incident(1, "2026-06-01T00:00:00Z")),
        ]
    )
    result = walk(feed)
    assert ids(result) == [2, 3, 4]
    assert (feed.read, result.pages_read) == (2, 2)


def test_stops_without_a_next_token_even_if_every_row_qualified() -> None:
    feed = Feed([page(incident(1, "2026-06-09T11:00:00Z")), page(incident(9, NOW.isoformat()))])
    result = walk(feed)
    assert ids(result) == [1]
    assert (feed.read, result.truncated) == (1, False)


def test_backfill_window_is_the_boundary_without_a_cursor() -> None:
    feed = Feed(
        [
            page(
                incident(3, "2026-06-08T12:00:00Z"),  # a day old: inside the window
                incident(2, "2026-06-02T12:00:00Z"),  # exactly 7 days: still inside
                incident(1, "2026-05-01T00:00:00Z"),  # far older: out
            )
        ]
    )
    assert ids(walk(feed, cursor=None)) == [2, 3]


def test_max_pages_is_a_runaway_guard_and_reports_truncation() -> None:
    endless = (
        page(incident(n, "2026-06-09T11:00:00Z"), next_token=str(n + 1)) for n in itertools.count(1)
    )
    feed = Feed(endless)
    result = walk(feed, max_pages=3)
    assert (feed.read, len(result.incidents), result.truncated) == (3, 3, True)


def test_default_max_pages() -> None:
    endless = (page(incident(n, "2026-06-09T11:00:00Z"), next_token="more") for n in range(100))
    feed = Feed(endless)
    assert walk(feed).pages_read == feed.read == MAX_PAGES == 20


def test_last_allowed_page_without_a_token_is_not_truncated() -> None:
    feed = Feed([page(incident(2, "2026-06-09T11:00:00Z"), next_token="p2"), page()])
    result = walk(feed, max_pages=2)
    assert (result.pages_read, result.truncated) == (2, False)


def test_max_pages_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_pages"):
        walk(Feed([]), max_pages=0)


def test_no_pages_collects_nothing() -> None:
    assert walk(Feed([])) == CursorWalk(incidents=(), pages_read=0)


def test_unreadable_rows_are_set_aside_and_do_not_stop_the_walk() -> None:
    undated = incident(5, "not a time")
    no_id = incident(6, "2026-06-09T11:30:00Z") | {"id": None}
    feed = Feed(
        [
            page(undated, incident(4, "2026-06-09T11:00:00Z"), next_token="p2"),
            page(no_id, incident(3, "2026-06-09T10:00:00Z"), incident(1, "2026-06-01T00:00:00Z")),
        ]
    )
    result = walk(feed)
    assert ids(result) == [3, 4]
    assert result.unreadable == (undated, no_id)


def test_an_incident_seen_twice_is_kept_once_in_its_newest_version() -> None:
    newer, older = incident(7, "2026-06-09T11:00:00Z"), incident(7, "2026-06-09T10:00:00Z")
    feed = Feed([page(newer, incident(8, "2026-06-09T10:30:00Z"), next_token="p2"), page(older)])
    result = walk(feed)
    assert ids(result) == [8, 7]
    assert result.incidents[1] is newer


def test_mixed_offsets_are_ordered_by_instant() -> None:
    feed = Feed(
        [page(incident(2, "2026-06-09T12:30:00+02:00"), incident(1, "2026-06-09T11:00:00Z"))]
    )
    assert ids(walk(feed)) == [2, 1]  # 10:30 UTC comes before 11:00 UTC


def test_fixture_page_parses_and_walks() -> None:
    parsed = parse_incident_page(load("incident_reports_page.json"))
    assert [row["id"] for row in parsed.incidents] == [512877, 509344]
    assert parsed.next_token == "MjAyNi0wNi0xNVQxODoyMjo0MVo"
    cursor = datetime(2026, 6, 16, 0, 0, tzinfo=UTC)
    result = walk_pages([parsed], walk_boundary(cursor, 7, NOW))
    assert [row["id"] for row in result.incidents] == [512877]


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        P({"incident_reports": [], "pagination": {}}, IncidentPage(()), id="last-page"),
        P({}, IncidentPage(()), id="empty"),
        P({"incident_reports": None, "pagination": None}, IncidentPage(()), id="nulls"),
        P(
            {"incident_reports": ["x", {"id": 1}], "pagination": {"next_page_token": ""}},
            IncidentPage(({"id": 1},)),
            id="bad-row-and-empty-token",
        ),
    ],
)
def test_parse_incident_page_tolerates_odd_payloads(
    payload: dict[str, Any], expected: IncidentPage
) -> None:
    assert parse_incident_page(payload) == expected


@pytest.mark.parametrize(
    ("cursor", "backfill_days", "expected"),
    [
        P(CURSOR, 7, CURSOR - timedelta(seconds=60), id="cursor-minus-overlap"),
        P(None, 7, NOW - timedelta(days=7), id="backfill-window"),
        P(None, 1, NOW - timedelta(days=1), id="one-day-backfill"),
    ],
)
def test_walk_boundary(cursor: datetime | None, backfill_days: int, expected: datetime) -> None:
    assert walk_boundary(cursor, backfill_days, NOW) == expected


@pytest.mark.parametrize(
    ("cursor", "processed", "expected"),
    [
        P(None, CURSOR, CURSOR, id="first"),
        P(CURSOR, CURSOR + timedelta(hours=1), CURSOR + timedelta(hours=1), id="forward"),
        P(CURSOR, CURSOR - timedelta(seconds=30), CURSOR, id="overlap-row-never-moves-back"),
    ],
)
def test_advance_cursor(cursor: datetime | None, processed: datetime, expected: datetime) -> None:
    assert advance_cursor(cursor, processed) == expected


def test_incident_updated_at() -> None:
    assert incident_updated_at(incident(1, "2026-06-09T10:00:00Z")) == datetime(
        2026, 6, 9, 10, 0, tzinfo=UTC
    )
    assert incident_updated_at({"id": 1}) is None
