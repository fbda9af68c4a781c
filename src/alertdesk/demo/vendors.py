"""The demo's fake vendor APIs: the shared captures plus generated records, served on loopback
ports (alertdesk.testing.fakes) so the integrations connect to them as to the real ones."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from alertdesk.testing.fakes import FakeHuntress, FakeNinjaOne, FakeTactical, serving

UNMAPPED_HUNTRESS_ORG = 77121  # "Bill's Maple Leaf Diner": no client of that name in the demo


@dataclass(frozen=True)
class DemoVendors:
    ninjaone: FakeNinjaOne
    tactical: FakeTactical
    huntress: FakeHuntress
    ninjaone_url: str
    tactical_url: str
    huntress_url: str


def _stamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def huntress_incidents(fake: FakeHuntress, now: datetime) -> None:
    """The captured critical incident (Acme Dental) and a generated one of an organization no
    client is mapped to, both updated within the last hour (the first poll looks back)."""
    critical = next(i for i in fake.incidents if i["severity"] == "critical")
    critical["updated_at"] = _stamp(now - timedelta(minutes=40))
    unmapped = copy.deepcopy(critical) | {
        "id": 600001, "organization_id": UNMAPPED_HUNTRESS_ORG, "agent_id": None,
        "updated_at": _stamp(now - timedelta(minutes=20)), "severity": "low",
        "subject": "LOW - Suspicious Microsoft 365 sign-in (Bill's Maple Leaf Diner)",
    }  # fmt: skip
    fake.incidents = [critical, unmapped]


@contextmanager
def running_vendors(now: datetime) -> Iterator[DemoVendors]:
    ninjaone, tactical, huntress = FakeNinjaOne(), FakeTactical(), FakeHuntress()
    huntress_incidents(huntress, now)
    with ExitStack() as stack:
        yield DemoVendors(
            ninjaone, tactical, huntress,
            stack.enter_context(serving(ninjaone)),
            stack.enter_context(serving(tactical)),
            stack.enter_context(serving(huntress)),
        )  # fmt: skip
