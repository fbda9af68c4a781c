"""Organization → client auto-matching by exact normalized name (seed 001 Tasks 3 and 9)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from alertdesk.core.org_names import auto_match, normalize_org_name

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "huntress"
P = pytest.param
C1, C2, C3, C4 = (uuid.UUID(int=n) for n in range(1, 5))
CLIENTS = [(C1, "Acme, Inc."), (C2, "Globex"), (C3, "globex")]


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def org(name: str, external_id: str = "1") -> tuple[str, str]:
    return (external_id, name)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        P(" Acme, Inc. ", "acme inc", id="punctuation-and-edges"),
        P("ACME-INC", "acme inc", id="hyphen-splits"),
        P("O'Brien & Sons LLC", "obrien sons llc", id="apostrophe-vanishes"),
        P("", "", id="empty"),
        P("   ", "", id="whitespace"),
    ],
)
def test_normalize_org_name(name: str, expected: str) -> None:
    # The seed's regex turned the apostrophe into a space ("o brien"), failing its own test;
    # the shared normalizer removes it.
    assert normalize_org_name(name) == expected


@pytest.mark.parametrize(
    ("name", "clients", "expected"),
    [
        P("ACME INC", CLIENTS, C1, id="unique-normalized-match"),
        P("Initech", CLIENTS, None, id="no-match"),
        P("Globex", CLIENTS, None, id="ambiguous-clients"),
        P("", CLIENTS, None, id="empty-org-name"),
        P("Acme", [(C1, "Acme Dental")], None, id="prefix-is-not-exact"),
    ],
)
def test_auto_match_one_organization(
    name: str, clients: list[tuple[uuid.UUID, str]], expected: uuid.UUID | None
) -> None:
    assert auto_match([org(name)], clients) == ({} if expected is None else {"1": expected})


def test_auto_match_many_organizations_from_a_generator_of_clients() -> None:
    orgs = [org("Acme, Inc.", "1"), org("Globex", "2"), org("Initech", "3"), org("Hooli", "4")]
    clients = ((cid, name) for cid, name in [*CLIENTS, (C4, "HOOLI")])
    assert auto_match(orgs, clients) == {"1": C1, "4": C4}


def test_two_organizations_of_one_name_stay_unmapped() -> None:
    orgs = [org("Acme Inc", "1"), org("ACME, Inc.", "2"), org("Globex", "3")]
    assert auto_match(orgs, [(C1, "Acme Inc"), (C2, "Globex")]) == {"3": C2}


def test_fixture_page_matches_by_name_despite_apostrophe_and_case() -> None:
    rows = load("organizations_page.json")["organizations"]
    organizations = [(str(row["id"]), row["name"]) for row in rows]
    assert organizations == [("77120", "Acme Dental"), ("77121", "Bill's Maple Leaf Diner")]
    clients = [(C1, "ACME DENTAL"), (C2, "Bills Maple-Leaf Diner"), (C3, "Globex")]
    assert auto_match(organizations, clients) == {"77120": C1, "77121": C2}
