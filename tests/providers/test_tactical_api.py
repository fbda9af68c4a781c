"""TacticalRMM API client against the fake Tactical (alertdesk.testing.fakes)."""

from __future__ import annotations

import json

import httpx
import pytest
from pydantic import SecretStr

from alertdesk.providers import REGISTRY
from alertdesk.providers.base import AlertRef, ExternalOrg, VendorError
from alertdesk.providers.tacticalrmm.api import TacticalApi, TacticalCredentials
from alertdesk.testing.fakes import TACTICAL_URL, FakeVendors

CREDS = TacticalCredentials(api_key=SecretStr("tactical-key"))


def make_api(
    vendors: FakeVendors, creds: TacticalCredentials = CREDS, url: str = TACTICAL_URL
) -> TacticalApi:
    return TacticalApi(url, creds, vendors.client())


def ref(alert_id: str) -> AlertRef:
    return AlertRef("tacticalrmm", TACTICAL_URL, alert_id, None)


def test_validate_lists_agents_with_the_api_key(vendors: FakeVendors) -> None:
    make_api(vendors, url=TACTICAL_URL + "/").validate()
    [request] = vendors.tactical.requests
    assert (request.method, request.url.path, dict(request.url.params)) == (
        "GET",
        "/agents/",
        {"detail": "false"},
    )
    assert request.headers["x-api-key"] == "tactical-key"
    assert "authorization" not in request.headers


def test_registry_builds_the_tactical_api(vendors: FakeVendors) -> None:
    api = REGISTRY["tacticalrmm"].make_api(TACTICAL_URL, CREDS, vendors.client())
    api.validate()
    assert vendors.tactical.paths() == ["/agents/"]


def test_list_clients(vendors: FakeVendors) -> None:
    vendors.tactical.clients.append({"id": 9, "name": "", "sites": []})
    assert make_api(vendors).list_organizations() == [
        ExternalOrg("3", "Acme Dental"),
        ExternalOrg("4", "Globex Corp"),
        ExternalOrg("9", "9"),
    ]
    assert vendors.tactical.paths("GET") == ["/clients/"]


def test_clients_in_an_unexpected_shape() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"results": []})

    api = TacticalApi(TACTICAL_URL, CREDS, httpx.Client(transport=httpx.MockTransport(answer)))
    with pytest.raises(VendorError, match="unexpected shape"):
        api.list_organizations()


def test_resolve_an_alert(vendors: FakeVendors) -> None:
    make_api(vendors).reset_alert(ref("1423"))
    [request] = vendors.tactical.requests
    assert (request.method, request.url.path) == ("PUT", "/alerts/1423/")
    assert json.loads(request.content) == {"type": "resolve"}
    assert request.headers["x-api-key"] == "tactical-key"
    assert vendors.tactical.resolved == ["1423"]


@pytest.mark.parametrize("alert_id", ["agent|check|2026-06-16T14:03:22+00:00", "", "14a", "-3"])
def test_resolve_without_a_numeric_id_sends_nothing(vendors: FakeVendors, alert_id: str) -> None:
    with pytest.raises(VendorError, match="without a TacticalRMM alert id") as info:
        make_api(vendors).reset_alert(ref(alert_id))
    assert info.value.status is None
    assert vendors.tactical.requests == []


def test_resolve_of_an_unknown_alert(vendors: FakeVendors) -> None:
    vendors.tactical.fail("/alerts/", 404)
    with pytest.raises(VendorError, match="answered 404 to PUT /alerts/77/") as info:
        make_api(vendors).reset_alert(ref("77"))
    assert (info.value.status, info.value.is_auth_error) == (404, False)


def test_credentials_are_the_api_key(vendors: FakeVendors) -> None:
    assert make_api(vendors).credentials() == {"api_key": "tactical-key"}


def test_wrong_api_key_is_an_auth_error(vendors: FakeVendors) -> None:
    creds = TacticalCredentials(api_key=SecretStr("wrong"))
    with pytest.raises(VendorError, match="answered 401 to GET /agents/") as info:
        make_api(vendors, creds).validate()
    assert (info.value.status, info.value.is_auth_error) == (401, True)


@pytest.mark.parametrize(
    ("status", "auth", "text"),
    [
        (401, True, "TacticalRMM answered 401 to GET /clients/"),
        (403, True, "answered 403"),
        (404, False, "answered 404"),
        (429, False, "TacticalRMM is rate-limiting us (429); retry after 120 s"),
        (500, False, "answered 500 to GET /clients/"),
        (502, False, "answered 502"),
    ],
)
def test_api_errors_become_vendor_errors(
    vendors: FakeVendors, status: int, auth: bool, text: str
) -> None:
    vendors.tactical.fail("/clients/", status, headers={"Retry-After": "120"})
    with pytest.raises(VendorError) as info:
        make_api(vendors).list_organizations()
    assert (info.value.status, info.value.is_auth_error) == (status, auth)
    assert text in str(info.value)


def test_a_failure_only_lasts_its_times(vendors: FakeVendors) -> None:
    vendors.tactical.fail("/agents/", 500, times=1)
    api = make_api(vendors)
    with pytest.raises(VendorError):
        api.validate()
    api.validate()  # no retry inside the client: the second call is a new request
    assert vendors.tactical.paths() == ["/agents/", "/agents/"]


def test_timeout_is_a_vendor_error(vendors: FakeVendors) -> None:
    vendors.tactical.fail("/alerts/", 0)
    with pytest.raises(VendorError, match="did not answer in time \\(PUT /alerts/5/\\)") as info:
        make_api(vendors).reset_alert(ref("5"))
    assert (info.value.status, info.value.is_auth_error) == (None, False)


def test_unreachable_host_is_a_vendor_error(vendors: FakeVendors) -> None:
    with pytest.raises(VendorError, match="could not reach TacticalRMM") as info:
        make_api(vendors, url="https://rmm.unknown.test").validate()
    assert (info.value.status, info.value.is_auth_error) == (None, False)


def test_non_json_clients_answer() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>proxy login</html>")

    api = TacticalApi(TACTICAL_URL, CREDS, httpx.Client(transport=httpx.MockTransport(answer)))
    with pytest.raises(VendorError, match="not JSON"):
        api.list_organizations()
