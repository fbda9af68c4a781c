"""Severity -> priority by name: exact pass, then substring pass; ties go to the lowest position."""

from __future__ import annotations

import uuid

import pytest

from alertdesk.core.priority import PriorityOption, priority_for_severity
from alertdesk.core.types import SEVERITIES, Severity

P = pytest.param
STANDARD = ["Urgent", "High", "Medium", "Low"]


def options(*names: str | tuple[str, int]) -> list[PriorityOption]:
    """Options named `names`; a plain name gets its index as position, a pair sets it."""
    result = []
    for index, entry in enumerate(names):
        name, position = entry if isinstance(entry, tuple) else (entry, index)
        option_id = uuid.uuid5(uuid.NAMESPACE_URL, name)
        result.append(PriorityOption(id=option_id, name=name, position=position))
    return result


@pytest.mark.parametrize(
    ("severity", "names", "expected"),
    [
        P("critical", STANDARD, "Urgent", id="critical-urgent"),
        P("critical", ["Low", "Critical", "High"], "Critical", id="critical-critical"),
        P("critical", [("Critical", 3), ("Urgent", 5)], "Critical", id="critical-lowest-position"),
        P("critical", [("Urgent", 5), ("Critical", 3)], "Critical", id="position-not-list-order"),
        P("major", STANDARD, "High", id="major-high"),
        P("moderate", STANDARD, "Medium", id="moderate-medium"),
        P("moderate", ["Low", "Normal", "High"], "Normal", id="moderate-normal"),
        P("moderate", [("Medium", 7), ("Normal", 2)], "Normal", id="moderate-tie-by-position"),
        P("minor", STANDARD, "Low", id="minor-low"),
        P("none", STANDARD, "Low", id="none-low"),
        P("critical", ["URGENT"], "URGENT", id="case-insensitive"),
        P("major", ["  high  "], "  high  ", id="surrounding-space-ignored"),
        P("critical", ["P1 - Critical", "P2 - High"], "P1 - Critical", id="substring-pass"),
        P("critical", ["P1 - Critical", "Urgent"], "Urgent", id="exact-beats-earlier-substring"),
        P("major", ["Highest", "High"], "High", id="exact-beats-longer-name"),
        P("minor", [("P4 - Low", 4), ("Lowest", 5)], "P4 - Low", id="substring-tie-by-position"),
        P("critical", [("Sev Critical", 2), ("P1 Urgent", 4)], "Sev Critical", id="substr-tie"),
        P("major", ["Urgent", "Medium", "Low"], None, id="no-candidate"),
        P("critical", [], None, id="no-priorities"),
    ],
)
def test_priority_for_severity(
    severity: Severity, names: list[str | tuple[str, int]], expected: str | None
) -> None:
    available = options(*names)
    chosen = priority_for_severity(severity, available)
    by_id = {option.id: option.name for option in available}
    assert (by_id[chosen] if chosen is not None else None) == expected


@pytest.mark.parametrize("severity", SEVERITIES)
def test_every_severity_maps_on_a_standard_board(severity: Severity) -> None:
    assert priority_for_severity(severity, options(*STANDARD)) is not None
