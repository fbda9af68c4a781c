"""The fake vendors shipped in the package (`alertdesk.testing.fakes`): their fixtures are
verbatim copies of the captured payloads, they run without pytest or anything outside the
installed package, and they listen on loopback only."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

import alertdesk.testing
from alertdesk.testing.fakes import FIXTURES, FakeTactical, FakeVendors, fixture, serving

SHARED = Path(__file__).resolve().parents[3] / "shared" / "fixtures"


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.json"))}


@pytest.mark.skipif(not SHARED.is_dir(), reason="the design fixtures are not beside this clone")
def test_the_packaged_fixtures_are_verbatim_copies_of_the_shared_ones() -> None:
    assert files(FIXTURES) == files(SHARED)


def test_the_fixtures_live_inside_the_package() -> None:
    package = Path(alertdesk.testing.__file__).resolve().parent
    assert FIXTURES.is_relative_to(package)
    assert {d.name for d in FIXTURES.iterdir()} == {"huntress", "ninjaone", "tacticalrmm"}


def test_the_fakes_import_and_answer_without_pytest() -> None:
    script = (
        "import sys; sys.modules['pytest'] = None\n"  # any `import pytest` now fails
        "from alertdesk.testing.fakes import FakeVendors\n"
        "with FakeVendors().client() as c:\n"
        "    r = c.get('https://tactical.test/clients/', headers={'x-api-key': 'tactical-key'})\n"
        "print(r.status_code, 'pytest' in sys.modules and sys.modules['pytest'] is not None)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["200", "False"]


def test_served_fakes_listen_on_loopback_only() -> None:
    tactical = FakeTactical()
    with serving(tactical) as url:
        assert url.startswith("http://127.0.0.1:")
        answer = httpx.get(f"{url}/agents/", headers={"x-api-key": "tactical-key"})
    assert answer.status_code == 200
    expected = fixture("tacticalrmm", "api_requests.json")["GET /agents/?detail=false item shape"]
    assert answer.json() == [expected]
    assert tactical.paths() == ["/agents/"]


def test_the_router_reaches_no_other_host() -> None:
    with FakeVendors().client() as client, pytest.raises(httpx.ConnectError):
        client.get("https://example.com/")
