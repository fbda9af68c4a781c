"""Org mappings: synced from the vendor on connect and on demand, auto-linked only on a unique
exact normalized name, never re-pointed by a re-sync, mapped by hand."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from alertdesk.testing.fakes import FakeVendors
from tests.conftest import TenantCtx
from tests.web.api_helpers import Json, make_client
from tests.web.integration_helpers import API, NINJA, TACTICAL, assert_field, connect, get_json


def mappings(client: TestClient, tenant: TenantCtx, integration_id: str) -> dict[str, Json]:
    """The integration's mappings by external org id."""
    rows = get_json(client, tenant.headers, f"{API}/{integration_id}/org-mappings")
    return {m["external_org_id"]: m for m in rows}


def patch(
    client: TestClient, tenant: TenantCtx, integration_id: str, mapping_id: str, body: Json
) -> Json:
    url = f"{API}/{integration_id}/org-mappings/{mapping_id}"
    response = client.patch(url, json=body, headers=tenant.headers)
    assert response.status_code == 200, response.text
    result: Json = response.json()
    return result


def sync(client: TestClient, tenant: TenantCtx, integration_id: str) -> Json:
    response = client.post(f"{API}/{integration_id}/org-mappings/sync", headers=tenant.headers)
    assert response.status_code == 200, response.text
    result: Json = response.json()
    return result


def test_connect_auto_links_only_a_unique_exact_normalized_name(
    client: TestClient, tenant: TenantCtx
) -> None:
    kmsp = make_client(client, tenant.headers, "KMSP Radio Station")
    make_client(client, tenant.headers, "Herrera Technologies")  # org 1 ...
    make_client(client, tenant.headers, "herrera technologies.")  # ... is ambiguous
    make_client(client, tenant.headers, "Law offices of Delassen")  # close is not enough
    hook = connect(client, tenant.headers, NINJA)
    assert hook["warnings"] == []

    rows = mappings(client, tenant, hook["id"])
    assert set(rows) == {"1", "2", "6"}
    assert (rows["2"]["client_id"], rows["2"]["details"]) == (kmsp["id"], {"auto_matched": True})
    assert rows["2"]["external_org_name"] == "KMSP Radio Station"
    for unmatched in ("1", "6"):
        assert rows[unmatched]["client_id"] is None
        assert rows[unmatched]["details"] == {"auto_matched": False}
        assert rows[unmatched]["last_synced_at"] is not None
    assert rows["6"]["external_org_name"] == "Law offices of Delassen-Wills"


def test_normalization_ignores_case_punctuation_and_spacing(
    client: TestClient, tenant: TenantCtx
) -> None:
    acme = make_client(client, tenant.headers, "  ACME,  dental. ")
    hook = connect(client, tenant.headers, TACTICAL)
    rows = mappings(client, tenant, hook["id"])
    assert rows["3"]["client_id"] == acme["id"]  # Tactical client 3 is "Acme Dental"
    assert rows["4"]["client_id"] is None


def test_resync_refreshes_names_and_keeps_every_existing_mapping(
    client: TestClient, tenant: TenantCtx, vendors: FakeVendors
) -> None:
    kmsp = make_client(client, tenant.headers, "KMSP Radio Station")
    chosen = make_client(client, tenant.headers, "Delassen-Wills Law")
    herrera = make_client(client, tenant.headers, "Herrera Tech")
    globex = make_client(client, tenant.headers, "Globex")
    hook = connect(client, tenant.headers, NINJA)
    rows = mappings(client, tenant, hook["id"])
    patch(client, tenant, hook["id"], rows["6"]["id"], {"client_id": chosen["id"]})

    orgs = vendors.ninjaone.organizations
    orgs[0]["name"] = "Herrera Tech"  # now matches a client, but the row exists: not linked
    orgs[1]["name"] = "KMSP Radio"  # renamed: still mapped to the client it had
    orgs[2]["name"] = "Delassen-Wills LLP"  # renamed: the manual choice stays
    orgs.append({"id": 7, "name": "GLOBEX"})  # new and unique: linked
    assert sync(client, tenant, hook["id"]) == {
        "total": 4,
        "created": 1,
        "updated": 3,
        "auto_matched": 1,
    }
    after = mappings(client, tenant, hook["id"])
    names = {k: m["external_org_name"] for k, m in after.items()}
    assert names == {
        "1": "Herrera Tech",
        "2": "KMSP Radio",
        "6": "Delassen-Wills LLP",
        "7": "GLOBEX",
    }
    clients = {k: m["client_id"] for k, m in after.items()}
    assert clients == {"1": None, "2": kmsp["id"], "6": chosen["id"], "7": globex["id"]}
    assert herrera["id"] not in clients.values()
    assert {k: m["id"] for k, m in after.items() if k != "7"} == {
        k: m["id"] for k, m in rows.items()
    }


def test_two_new_organizations_of_one_name_both_stay_unmapped(
    client: TestClient, tenant: TenantCtx, vendors: FakeVendors
) -> None:
    make_client(client, tenant.headers, "Globex")
    hook = connect(client, tenant.headers, NINJA)
    vendors.ninjaone.organizations += [{"id": 7, "name": "GLOBEX"}, {"id": 8, "name": "globex."}]
    assert sync(client, tenant, hook["id"])["auto_matched"] == 0
    rows = mappings(client, tenant, hook["id"])
    assert (rows["7"]["client_id"], rows["8"]["client_id"]) == (None, None)


def test_manual_mapping_to_a_client_and_back_to_none(client: TestClient, tenant: TenantCtx) -> None:
    kmsp = make_client(client, tenant.headers, "KMSP Radio Station")
    other = make_client(client, tenant.headers, "Someone Else")
    hook = connect(client, tenant.headers, NINJA)
    mapping = mappings(client, tenant, hook["id"])["2"]
    assert mapping["client_id"] == kmsp["id"]

    moved = patch(client, tenant, hook["id"], mapping["id"], {"client_id": other["id"]})
    assert (moved["client_id"], moved["details"]) == (other["id"], {"auto_matched": False})
    assert moved["auto_create_tickets"] is True
    quiet = patch(client, tenant, hook["id"], mapping["id"], {"auto_create_tickets": False})
    assert (quiet["client_id"], quiet["auto_create_tickets"]) == (other["id"], False)
    cleared = patch(client, tenant, hook["id"], mapping["id"], {"client_id": None})
    assert cleared["client_id"] is None
    assert mappings(client, tenant, hook["id"])["2"]["client_id"] is None
    assert sync(client, tenant, hook["id"])["auto_matched"] == 0  # unmapping sticks
    assert mappings(client, tenant, hook["id"])["2"]["client_id"] is None


def test_mapping_to_an_unknown_or_foreign_client_is_a_422(
    client: TestClient, tenant: TenantCtx, make_tenant: Callable[..., TenantCtx]
) -> None:
    hook = connect(client, tenant.headers, NINJA)
    mapping = mappings(client, tenant, hook["id"])["1"]
    foreign = make_client(client, make_tenant().headers, "Herrera Technologies")
    url = f"{API}/{hook['id']}/org-mappings/{mapping['id']}"
    for client_id in (str(uuid.uuid4()), foreign["id"]):
        response = client.patch(url, json={"client_id": client_id}, headers=tenant.headers)
        assert_field(response, "client_id")
    assert client.patch(url, json={"client_id": "nope"}, headers=tenant.headers).status_code == 422
    assert mappings(client, tenant, hook["id"])["1"]["client_id"] is None


def test_a_mapping_of_another_integration_cannot_be_changed_through_this_one(
    client: TestClient, tenant: TenantCtx
) -> None:
    acme = make_client(client, tenant.headers, "Acme")
    ninja = connect(client, tenant.headers, NINJA)
    tactical = connect(client, tenant.headers, TACTICAL)
    ninja_mapping = mappings(client, tenant, ninja["id"])["1"]
    url = f"{API}/{tactical['id']}/org-mappings/{ninja_mapping['id']}"
    response = client.patch(url, json={"client_id": acme["id"]}, headers=tenant.headers)
    assert response.status_code in (404, 422), response.text
    assert mappings(client, tenant, ninja["id"])["1"]["client_id"] is None


@pytest.mark.parametrize("status", [500, 429, 0])
def test_vendor_failure_during_sync_is_a_502_and_changes_nothing(
    client: TestClient, tenant: TenantCtx, vendors: FakeVendors, status: int
) -> None:
    hook = connect(client, tenant.headers, NINJA)
    before = mappings(client, tenant, hook["id"])
    vendors.ninjaone.organizations[0]["name"] = "Renamed"
    vendors.ninjaone.organizations.append({"id": 9, "name": "New"})
    vendors.ninjaone.fail("/v2/organizations", status)
    response = client.post(f"{API}/{hook['id']}/org-mappings/sync", headers=tenant.headers)
    assert response.status_code == 502, response.text
    assert mappings(client, tenant, hook["id"]) == before


def test_a_failing_sync_at_connect_still_connects_with_a_warning(
    client: TestClient, tenant: TenantCtx, vendors: FakeVendors
) -> None:
    acme = make_client(client, tenant.headers, "Acme Dental")
    vendors.tactical.fail("/clients/", 500, times=1)
    hook = connect(client, tenant.headers, TACTICAL)
    assert (hook["is_active"], hook["sync_status"]) == (True, "ok")
    assert len(hook["warnings"]) == 1
    assert "organization sync failed" in hook["warnings"][0]
    assert hook["sync_error"] == hook["warnings"][0]
    shown = get_json(client, tenant.headers, f"{API}/{hook['id']}")
    assert (shown["is_active"], shown["sync_error"]) == (True, hook["warnings"][0])
    assert mappings(client, tenant, hook["id"]) == {}

    assert sync(client, tenant, hook["id"]) == {
        "total": 2,
        "created": 2,
        "updated": 0,
        "auto_matched": 1,
    }
    assert mappings(client, tenant, hook["id"])["3"]["client_id"] == acme["id"]


def test_a_successful_sync_clears_the_connect_time_sync_error(
    client: TestClient, tenant: TenantCtx, vendors: FakeVendors
) -> None:
    vendors.tactical.fail("/clients/", 500, times=1)
    hook = connect(client, tenant.headers, TACTICAL)
    assert hook["sync_error"]
    sync(client, tenant, hook["id"])
    assert get_json(client, tenant.headers, f"{API}/{hook['id']}")["sync_error"] is None
