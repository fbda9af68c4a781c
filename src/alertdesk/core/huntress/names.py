"""Auto-matching Huntress organizations to clients: only exact, unambiguous normalized names link;
anything weaker stays unmapped for an admin to map (its incidents go to the fallback client)."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from alertdesk.core.org_names import find_exact_match, normalize_org_name


@dataclass(frozen=True)
class HuntressOrganization:
    external_id: str  # Huntress' numeric id, as text: the org mapping's external id
    name: str


def parse_organizations(payload: Mapping[str, Any]) -> tuple[HuntressOrganization, ...]:
    """The organizations of a `GET /v1/organizations` page; rows without an id are dropped."""
    rows = payload.get("organizations")
    found = []
    for row in rows if isinstance(rows, list) else []:
        if isinstance(row, Mapping) and row.get("id") is not None:
            found.append(HuntressOrganization(str(row["id"]), str(row.get("name") or "")))
    return tuple(found)


def auto_match(
    organizations: Iterable[HuntressOrganization], clients: Iterable[tuple[uuid.UUID, str]]
) -> dict[str, uuid.UUID]:
    """External org id → client id for each organization whose name matches exactly one client.

    Two organizations of one normalized name both stay unmapped: linking them to a client by
    name alone would be a guess, as with two clients of one name.
    """
    orgs = list(organizations)
    client_list = list(clients)  # read once per organization
    names = Counter(normalize_org_name(org.name) for org in orgs)
    matches: dict[str, uuid.UUID] = {}
    for org in orgs:
        if names[normalize_org_name(org.name)] > 1:
            continue
        client_id = find_exact_match(org.name, client_list)
        if client_id is not None:
            matches[org.external_id] = client_id
    return matches
