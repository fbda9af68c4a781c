"""Ticket numbers: TKT- and at least six zero-padded digits; sequences start at 1."""

from __future__ import annotations

import pytest

from alertdesk.core.ticket_numbers import format_ticket_number


@pytest.mark.parametrize(
    ("sequence", "expected"),
    [
        (1, "TKT-000001"),
        (42, "TKT-000042"),
        (100_000, "TKT-100000"),
        (999_999, "TKT-999999"),
        (1_000_000, "TKT-1000000"),
        (12_345_678, "TKT-12345678"),
    ],
)
def test_format_ticket_number(sequence: int, expected: str) -> None:
    assert format_ticket_number(sequence) == expected


@pytest.mark.parametrize("sequence", [0, -1, -1_000_000])
def test_sequences_below_one_are_rejected(sequence: int) -> None:
    with pytest.raises(ValueError, match="starts at 1"):
        format_ticket_number(sequence)
