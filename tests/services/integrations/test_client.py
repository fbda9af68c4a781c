"""IntegrationClient on a database that really commits, against a NinjaOne fake that rotates
refresh tokens (R1 → R2 → …, the used one revoked): a rotated token is committed before the
next call can fail, concurrent refreshes never spend a revoked token, tokens are cached."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import TypeVar

import pytest

from alertdesk.errors import Conflict
from alertdesk.providers.base import ExternalOrg, VendorApi, VendorError
from alertdesk.services.accounts.tenants import create_tenant
from alertdesk.services.integrations.client import IntegrationClient
from alertdesk.services.integrations.records import Vendor, get_integration
from alertdesk.services.integrations.vault import Vault
from alertdesk.storage.database import Database
from alertdesk.storage.models import Integration
from alertdesk.testing.fakes import NINJA_URL, FakeNinjaOne, FakeVendors, Rotation
from tests.conftest import PASSWORD
from tests.fakes.transactions import migrated_database

VAULT = Vault("k" * 48)
Ids = tuple[uuid.UUID, uuid.UUID]
T = TypeVar("T")


@pytest.fixture(scope="module")
def database(make_database: Callable[[], str]) -> Iterator[Database]:
    database, _url = migrated_database(make_database)
    yield database
    database.dispose()


@pytest.fixture
def ninja(vendors: FakeVendors) -> FakeNinjaOne:
    vendors.ninjaone.rotation = Rotation()
    return vendors.ninjaone


@pytest.fixture
def ids(database: Database) -> Ids:
    """A tenant and its NinjaOne integration authorized by OAuth (refresh token R1), committed."""
    now, suffix = datetime.now(UTC), uuid.uuid4().hex[:8]
    creds = {"client_id": "ninja-client", "client_secret": "ninja-secret", "refresh_token": "R1"}
    with database.transaction() as session:
        tenant, _admin = create_tenant(session, f"MSP {suffix}", f"{suffix}@example.com", PASSWORD)
        integration = Integration(
            tenant=tenant.tenant,
            id=uuid.uuid4(),
            provider="ninjaone",
            name="NinjaOne",
            instance_url=NINJA_URL,
            settings={},
            credentials_encrypted=VAULT.encrypt_json(creds),
            sync_status="ok",
            created_at=now,
            connected_at=now,
        )
        session.add(integration)
    return tenant.tenant, integration.id


def process(vendors: FakeVendors) -> Vendor:
    """What one alertdesk process holds: its own HTTP client and its own token cache."""
    return Vendor(vendors.client(), VAULT)


def orgs(api: VendorApi) -> Sequence[ExternalOrg]:
    return api.list_organizations()


def stored_refresh_token(database: Database, ids: Ids) -> str:
    with database.transaction() as session:
        encrypted = get_integration(session, *ids).credentials_encrypted
    assert encrypted is not None
    token: str = VAULT.decrypt_json(encrypted)["refresh_token"]
    return token


def test_a_rotated_refresh_token_is_stored_even_when_the_next_call_fails(
    database: Database, vendors: FakeVendors, ninja: FakeNinjaOne, ids: Ids
) -> None:
    ninja.fail("/v2/organizations", 503, times=1)
    client = IntegrationClient(database, process(vendors), *ids)
    with pytest.raises(VendorError) as failed:
        client.call(orgs)
    assert failed.value.status == 503
    assert ninja.refresh_tokens == ["R1"]  # R1 → R2 happened; the vendor revoked R1
    assert stored_refresh_token(database, ids) == "R2"

    assert len(client.call(orgs)) == 3  # this process: the cached access token
    assert len(IntegrationClient(database, process(vendors), *ids).call(orgs)) == 3
    assert ninja.refresh_tokens == ["R1", "R2"]  # another process refreshed with R2
    assert stored_refresh_token(database, ids) == "R3"
    assert ninja.rotation is not None
    assert ninja.rotation.live == {"R3"}


def test_the_access_token_is_cached_per_process(
    database: Database, vendors: FakeVendors, ninja: FakeNinjaOne, ids: Ids
) -> None:
    vendor = process(vendors)
    for _ in range(3):
        IntegrationClient(database, vendor, *ids).call(lambda api: api.validate())
    assert ninja.refresh_tokens == ["R1"]
    assert ninja.paths() == ["/ws/oauth/token"] + ["/v2/organizations"] * 3


def run_together(*calls: Callable[[], T]) -> list[T]:
    """Start the calls at the same moment on their own threads; their results in order."""
    barrier = threading.Barrier(len(calls))

    def start(call: Callable[[], T]) -> T:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        futures = [pool.submit(start, call) for call in calls]
        return [f.result(timeout=30) for f in futures]


def test_two_refreshes_at_once_in_one_process_make_one_refresh(
    database: Database, vendors: FakeVendors, ninja: FakeNinjaOne, ids: Ids
) -> None:
    assert ninja.rotation is not None
    ninja.rotation.delay = 0.3  # the first refresh is still at the vendor when the second starts
    vendor = process(vendors)

    def call() -> Sequence[ExternalOrg]:
        return IntegrationClient(database, vendor, *ids).call(orgs)

    assert [len(r) for r in run_together(call, call)] == [3, 3]
    assert ninja.refresh_tokens == ["R1"]
    assert stored_refresh_token(database, ids) == "R2"
    assert ninja.rotation.live == {"R2"}


def test_two_processes_refreshing_at_once_never_spend_a_revoked_token(
    database: Database, vendors: FakeVendors, ninja: FakeNinjaOne, ids: Ids
) -> None:
    assert ninja.rotation is not None
    ninja.rotation.delay = 0.3
    first, second = process(vendors), process(vendors)  # no shared token cache
    results = run_together(
        lambda: IntegrationClient(database, first, *ids).call(orgs),
        lambda: IntegrationClient(database, second, *ids).call(orgs),
    )
    assert [len(r) for r in results] == [3, 3]
    # the second waited for the row lock and refreshed with the token the first stored
    assert ninja.refresh_tokens == ["R1", "R2"]
    assert stored_refresh_token(database, ids) == "R3"
    assert ninja.rotation.live == {"R3"}


def test_a_cached_token_the_vendor_refuses_is_replaced_once(
    database: Database, vendors: FakeVendors, ninja: FakeNinjaOne, ids: Ids
) -> None:
    vendor = process(vendors)
    IntegrationClient(database, vendor, *ids).call(lambda api: api.validate())
    ninja.fail("/v2/organizations", 401, times=1)
    assert len(IntegrationClient(database, vendor, *ids).call(orgs)) == 3
    assert ninja.refresh_tokens == ["R1", "R2"]
    assert stored_refresh_token(database, ids) == "R3"

    ninja.fail("/v2/organizations", 401, times=2)  # a fresh token refused too: no loop
    with pytest.raises(VendorError):
        IntegrationClient(database, vendor, *ids).call(orgs)
    assert ninja.refresh_tokens == ["R1", "R2", "R3"]


def test_an_integration_without_credentials_is_not_connected(
    database: Database, vendors: FakeVendors, ids: Ids
) -> None:
    with database.transaction() as session:
        get_integration(session, *ids).credentials_encrypted = None
    with pytest.raises(Conflict, match="not connected"):
        IntegrationClient(database, process(vendors), *ids)
