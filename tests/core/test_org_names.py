"""Org-name normalization and exact, unique auto-matching (seed 001 Task 3)."""

from __future__ import annotations

import uuid

import pytest

from alertdesk.core.org_names import find_exact_match, normalize_org_name

A, B, C = uuid.UUID(int=1), uuid.UUID(int=2), uuid.UUID(int=3)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (" Acme, Inc. ", "acme inc"),
        ("ACME-INC", "acme inc"),
        ("O'Brien & Sons LLC", "obrien sons llc"),
        ("O\u2019Brien & Sons LLC", "obrien sons llc"),
        ("", ""),
        (" ", ""),
        ("\t\n ", ""),
        ("!!!", ""),
        ("Acme   Dental\tGroup", "acme dental group"),
        ("Law offices of Delassen-Wills", "law offices of delassen wills"),
        ("3M Co.", "3m co"),
        ("A.B.C.", "a b c"),
    ],
)
def test_normalize_org_name(name: str, expected: str) -> None:
    assert normalize_org_name(name) == expected


@pytest.mark.parametrize(
    ("org", "clients", "expected"),
    [
        pytest.param("Acme, Inc.", [(A, "ACME INC"), (B, "Acme Dental")], A, id="unique"),
        pytest.param("acme-inc", [(A, "Globex"), (B, " Acme, Inc. ")], B, id="punctuation"),
        pytest.param("Acme", [(A, "Acme Inc"), (B, "Acme Dental")], None, id="prefix-is-not-exact"),
        pytest.param("Initech", [(A, "Acme"), (B, "Globex")], None, id="none"),
        pytest.param(
            "Acme Inc", [(A, "Acme, Inc."), (B, "ACME-INC"), (C, "X")], None, id="ambiguous"
        ),
        pytest.param("Acme Inc", [], None, id="no-clients"),
        pytest.param("", [(A, ""), (B, "Acme")], None, id="empty-name"),
        pytest.param("  ", [(A, " "), (B, "Acme")], None, id="blank-name"),
        pytest.param("!!!", [(A, "???")], None, id="punctuation-only"),
    ],
)
def test_find_exact_match(
    org: str, clients: list[tuple[uuid.UUID, str]], expected: uuid.UUID | None
) -> None:
    assert find_exact_match(org, clients) == expected


def test_find_exact_match_accepts_a_generator() -> None:
    clients = ((cid, name) for cid, name in [(A, "Globex"), (B, "Acme Dental")])
    assert find_exact_match("ACME DENTAL", clients) == B
