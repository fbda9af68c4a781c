"""What every fake vendor shares: the verbatim vendor fixtures shipped with the package,
request recording and failures on demand."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

# Captured vendor payloads, copied verbatim from the design fixtures (shared/fixtures) into the
# package, so that the fakes work from an installed wheel; tests/testing checks the copies.
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture(vendor: str, name: str) -> Any:
    """A captured payload, parsed: `fixture("tacticalrmm", "webhook_trigger.json")`."""
    return json.loads((FIXTURES / vendor / name).read_text())


def fixture_bytes(vendor: str, name: str) -> bytes:
    return (FIXTURES / vendor / name).read_bytes()


@dataclass
class Failure:
    """Answer `status` (or raise a timeout when status is 0) for requests to `path`."""

    path: str
    status: int
    times: int = 1_000_000
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeVendor:
    requests: list[httpx.Request] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)

    def fail(
        self, path: str, status: int, times: int = 1_000_000, headers: dict[str, str] | None = None
    ) -> None:
        self.failures.append(Failure(path, status, times, headers or {}))

    def _failure(self, request: httpx.Request) -> httpx.Response | None:
        for failure in self.failures:
            if failure.times > 0 and request.url.path.startswith(failure.path):
                failure.times -= 1
                if failure.status == 0:
                    raise httpx.ReadTimeout("timed out", request=request)
                return httpx.Response(
                    failure.status, text=f"fake failure {failure.status}", headers=failure.headers
                )
        return None

    def paths(self, method: str | None = None) -> list[str]:
        return [r.url.path for r in self.requests if method is None or r.method == method]
