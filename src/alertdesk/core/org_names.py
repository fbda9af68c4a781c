"""Matching vendor organizations to clients by name: only an exact, unique normalized match."""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Iterable

_NOT_WORD = re.compile(r"[^a-z0-9\s]+")
_SPACES = re.compile(r"\s+")


def normalize_org_name(name: str) -> str:
    """Lower case, punctuation → space, whitespace collapsed: ' Acme, Inc. ' → 'acme inc'.

    Apostrophes vanish rather than split words: "O'Brien" → 'obrien'.
    """
    text = name.lower().replace("'", "").replace("\u2019", "")
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", text)).strip()


def find_exact_match(org_name: str, clients: Iterable[tuple[uuid.UUID, str]]) -> uuid.UUID | None:
    """The one client whose normalized name equals the org's; None when none or ambiguous."""
    target = normalize_org_name(org_name)
    if not target:
        return None
    matches = [cid for cid, name in clients if normalize_org_name(name) == target]
    return matches[0] if len(matches) == 1 else None


def auto_match(
    orgs: Iterable[tuple[str, str]], clients: Iterable[tuple[uuid.UUID, str]]
) -> dict[str, uuid.UUID]:
    """External org id → client id for each (id, name) org matching exactly one client.

    Two organizations of one normalized name both stay unmapped: linking them to a client by
    name alone would be a guess, as with two clients of one name.
    """
    org_list, client_list = list(orgs), list(clients)
    names = Counter(normalize_org_name(name) for _, name in org_list)
    matches: dict[str, uuid.UUID] = {}
    for external_id, name in org_list:
        client_id = (
            None if names[normalize_org_name(name)] > 1 else find_exact_match(name, client_list)
        )
        if client_id is not None:
            matches[external_id] = client_id
    return matches
