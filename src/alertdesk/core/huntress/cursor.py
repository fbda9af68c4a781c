"""The incident cursor walk: Huntress cannot filter by "updated since", so pages come newest first
and the walk stops at the first row older than the boundary (cursor - 60 s, or now - backfill).
Rows inside the overlap are read again; the planner skips the unchanged ones."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from alertdesk.core.huntress.settings import parse_time

OVERLAP = timedelta(seconds=60)
MAX_PAGES = 20  # runaway guard: 20 pages of 500 incidents

Incident = Mapping[str, Any]  # one `incident_reports` row, as Huntress sent it


@dataclass(frozen=True)
class IncidentPage:
    incidents: tuple[Incident, ...]
    next_token: str | None = None


@dataclass(frozen=True)
class CursorWalk:
    """What one walk collected: the incidents to process, oldest first."""

    incidents: tuple[Incident, ...]
    pages_read: int
    # Stopped by max_pages with more pages left: incidents between the boundary and the
    # oldest one collected were not read (the seed dropped them silently).
    truncated: bool = False
    # Rows without an id or a readable updated_at: skipped rather than taken for the boundary,
    # so one bad row cannot stall every later poll.
    unreadable: tuple[Incident, ...] = ()


class _Scan(NamedTuple):
    dated: list[tuple[datetime, Incident]]
    unreadable: list[Incident]
    reached_boundary: bool


def parse_incident_page(payload: Mapping[str, Any]) -> IncidentPage:
    """A page from `GET /v1/incident_reports` (`incident_reports` + `pagination`)."""
    rows = payload.get("incident_reports")
    incidents = tuple(r for r in rows if isinstance(r, Mapping)) if isinstance(rows, list) else ()
    pagination = payload.get("pagination")
    token = pagination.get("next_page_token") if isinstance(pagination, Mapping) else None
    return IncidentPage(incidents, token if isinstance(token, str) and token else None)


def walk_boundary(cursor: datetime | None, backfill_days: int, now: datetime) -> datetime:
    """The oldest updated_at still collected: cursor - overlap, or now - backfill on a first run."""
    if cursor is not None:
        return cursor - OVERLAP
    return now - timedelta(days=backfill_days)


def walk_pages(
    pages: Iterable[IncidentPage], boundary: datetime, *, max_pages: int = MAX_PAGES
) -> CursorWalk:
    """Read pages (newest first) lazily until a row is older than `boundary`, a page has no
    next token, or `max_pages` were read; return the collected incidents oldest first."""
    if max_pages < 1:
        raise ValueError("max_pages must be at least 1")
    dated: list[tuple[datetime, Incident]] = []
    unreadable: list[Incident] = []
    pages_read = 0
    for page in pages:
        pages_read += 1
        scan = _scan_page(page, boundary)
        dated += scan.dated
        unreadable += scan.unreadable
        if scan.reached_boundary or page.next_token is None:
            break
        if pages_read >= max_pages:
            return _result(dated, unreadable, pages_read, truncated=True)
    return _result(dated, unreadable, pages_read, truncated=False)


def incident_updated_at(incident: Incident) -> datetime | None:
    return parse_time(incident.get("updated_at"))


def advance_cursor(cursor: datetime | None, processed_updated_at: datetime) -> datetime:
    """The cursor after processing an incident: never moves back (overlap rows are older)."""
    return processed_updated_at if cursor is None else max(cursor, processed_updated_at)


def _scan_page(page: IncidentPage, boundary: datetime) -> _Scan:
    scan = _Scan([], [], reached_boundary=False)
    for incident in page.incidents:
        updated_at = incident_updated_at(incident)
        if updated_at is None or incident.get("id") is None:
            scan.unreadable.append(incident)
        elif updated_at < boundary:
            return scan._replace(reached_boundary=True)
        else:
            scan.dated.append((updated_at, incident))
    return scan


def _result(
    dated: list[tuple[datetime, Incident]],
    unreadable: list[Incident],
    pages_read: int,
    *,
    truncated: bool,
) -> CursorWalk:
    # An incident updated during the walk can show up on two pages: keep its newest version.
    newest: dict[str, tuple[datetime, Incident]] = {}
    for updated_at, incident in dated:
        key = str(incident["id"])
        if key not in newest or updated_at > newest[key][0]:
            newest[key] = (updated_at, incident)
    ordered = sorted(newest.values(), key=lambda pair: pair[0])
    return CursorWalk(
        incidents=tuple(incident for _, incident in ordered),
        pages_read=pages_read,
        truncated=truncated,
        unreadable=tuple(unreadable),
    )
