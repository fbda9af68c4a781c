"""Matching vendor organizations to clients by name: only an exact, unique normalized match."""

from __future__ import annotations

import re
import uuid
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
