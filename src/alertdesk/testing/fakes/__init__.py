"""Fake NinjaOne, TacticalRMM and Huntress APIs at the HTTP layer, serving the captured vendor
payloads shipped in `fixtures/`: in-process through `httpx.MockTransport` (`.client()`), or on
a loopback port with `serving(handler)` for a real `alertdesk serve` in another process."""

from alertdesk.testing.fakes.base import FIXTURES, Failure, FakeVendor, fixture, fixture_bytes
from alertdesk.testing.fakes.http_server import serving
from alertdesk.testing.fakes.huntress import HUNTRESS_URL, FakeHuntress, huntress_fixture
from alertdesk.testing.fakes.vendors import (
    NINJA_URL,
    TACTICAL_URL,
    FakeNinjaOne,
    FakeTactical,
    FakeVendors,
    Rotation,
)

__all__ = [
    "FIXTURES",
    "HUNTRESS_URL",
    "NINJA_URL",
    "TACTICAL_URL",
    "Failure",
    "FakeHuntress",
    "FakeNinjaOne",
    "FakeTactical",
    "FakeVendor",
    "FakeVendors",
    "Rotation",
    "fixture",
    "fixture_bytes",
    "huntress_fixture",
    "serving",
]
