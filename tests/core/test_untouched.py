"""T008: a ticket is untouched only while nobody has worked on it, so a reset may close it."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

import pytest

from alertdesk.core.untouched import TicketSnapshot, is_untouched

P = pytest.param
DEFAULT_STATUS, OTHER_STATUS = uuid.UUID(int=1), uuid.UUID(int=2)
FRESH = TicketSnapshot(
    status_id=DEFAULT_STATUS,
    default_status_id=DEFAULT_STATUS,
    is_closed=False,
    human_comments=0,
    time_entries=0,
    status_changes_by_people=0,
)


@pytest.mark.parametrize(
    ("changes", "untouched"),
    [
        P({}, True, id="fresh-ticket-is-untouched"),
        P({"is_closed": True}, False, id="closed"),
        P({"status_id": OTHER_STATUS}, False, id="not-in-default-status"),
        P({"default_status_id": None}, False, id="board-has-no-default-status"),
        P({"human_comments": 1}, False, id="one-human-comment"),
        P({"time_entries": 1}, False, id="one-time-entry"),
        P({"status_changes_by_people": 1}, False, id="status-changed-and-changed-back"),
        P({"human_comments": 3, "time_entries": 2}, False, id="several-kinds-of-work"),
    ],
)
def test_is_untouched(changes: dict[str, Any], untouched: bool) -> None:
    assert is_untouched(replace(FRESH, **changes)) is untouched


def test_assignment_is_not_part_of_the_snapshot_so_assigning_never_touches() -> None:
    """A rule or dispatcher assigning the ticket is not work on it: the snapshot has no field."""
    fields = set(TicketSnapshot.__dataclass_fields__)
    assert not {name for name in fields if "assign" in name}
    assert is_untouched(FRESH)
