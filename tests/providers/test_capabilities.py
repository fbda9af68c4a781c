"""Providers declare capabilities; nothing outside providers/ decides by a provider's name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import alertdesk
from alertdesk.providers import REGISTRY
from alertdesk.providers.base import AlertFetcher, OutboundAdapter
from alertdesk.providers.spec import ProviderSpec

SOURCE = Path(alertdesk.__file__).parent
# core cannot import the registry, so it keeps its own table of display labels
ALLOWED = {SOURCE / "core" / "types.py"}
# a vendor's own domain (its pure rules and services) is about that vendor by design
VENDOR_DOMAINS = (("core", "huntress"), ("services", "huntress"))
# the fake vendor APIs (tests, benchmarks, the demo) imitate each vendor by name, and the demo
# tells a story about those vendors, by design
FAKES = ("testing", "demo")
IMPORT = re.compile(r"^\s*(from|import) alertdesk\.")  # naming a module is not a special case


def _outside_providers() -> list[Path]:
    files = [*SOURCE.rglob("*.py"), *SOURCE.rglob("*.html")]
    return [
        p
        for p in files
        if p.relative_to(SOURCE).parts[0] not in ("providers", *FAKES)
        and p.relative_to(SOURCE).parts[:2] not in VENDOR_DOMAINS
    ]


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_no_code_outside_providers_names_a_provider(name: str) -> None:
    """A quoted name, a path segment or an attribute (`== "ninjaone"`, `/ninjaone/`,
    `setup.ninjaone`) means a special case; use a capability or a spec attribute instead."""
    named = re.compile(rf"""["'/.]{name}\b""")
    offenders = [
        f"{path.relative_to(SOURCE)}:{number}: {line.strip()}"
        for path in _outside_providers()
        if path not in ALLOWED
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if named.search(line) and not IMPORT.match(line)
    ]
    assert offenders == []


@pytest.mark.parametrize("spec", REGISTRY.values(), ids=list(REGISTRY))
def test_declared_capabilities_match_what_the_api_can_do(spec: ProviderSpec) -> None:
    api_class = spec.make_api
    assert isinstance(api_class, type)
    assert spec.outbound == issubclass(api_class, OutboundAdapter)
    if spec.oauth is not None:
        assert callable(getattr(spec.oauth.make_api, "authorize_url", None))
        assert callable(getattr(spec.oauth.make_api, "exchange_code", None))
    assert spec.fetches_alerts == issubclass(api_class, AlertFetcher)
    assert spec.polls_incidents == callable(getattr(api_class, "incident_reports_page", None))
    assert (spec.webhook is None) == spec.polls_incidents  # polled providers send no webhooks
