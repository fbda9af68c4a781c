"""NinjaOne API client against the fake NinjaOne (alertdesk.testing.fakes)."""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from pydantic import SecretStr

from alertdesk.providers.base import AlertRef, ExternalOrg, VendorError
from alertdesk.providers.ninjaone.api import NinjaOneApi, NinjaOneCredentials
from alertdesk.testing.fakes import NINJA_URL, FakeVendors

CREDS = NinjaOneCredentials(client_id="ninja-client", client_secret=SecretStr("ninja-secret"))
REDIRECT = "https://desk.example/integrations/ninjaone/callback"


def make_api(
    vendors: FakeVendors, creds: NinjaOneCredentials = CREDS, url: str = NINJA_URL
) -> NinjaOneApi:
    return NinjaOneApi(url, creds, vendors.client())


def form(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


def canned(*responses: httpx.Response) -> NinjaOneApi:
    """An API whose vendor answers these responses in turn (for shapes the fake never sends)."""
    queue = list(responses)

    def answer(request: httpx.Request) -> httpx.Response:
        return queue.pop(0)

    return NinjaOneApi(NINJA_URL, CREDS, httpx.Client(transport=httpx.MockTransport(answer)))


TOKEN = {"access_token": "t", "token_type": "Bearer"}


def test_client_credentials_token_then_bearer_call(vendors: FakeVendors) -> None:
    make_api(vendors).validate()
    token, orgs = vendors.ninjaone.requests
    assert (token.method, token.url.path) == ("POST", "/ws/oauth/token")
    assert token.headers["content-type"] == "application/x-www-form-urlencoded"
    assert form(token) == {
        "grant_type": "client_credentials",
        "scope": "monitoring management",
        "client_id": "ninja-client",
        "client_secret": "ninja-secret",
    }
    assert (orgs.method, orgs.url.path, orgs.url.params["pageSize"]) == (
        "GET",
        "/v2/organizations",
        "1",
    )
    assert orgs.headers["authorization"] == "Bearer access-token"


def test_the_access_token_is_reused(vendors: FakeVendors) -> None:
    api = make_api(vendors)
    api.validate()
    api.validate()
    api.list_organizations()
    assert vendors.ninjaone.paths() == ["/ws/oauth/token"] + ["/v2/organizations"] * 3


def test_refresh_token_grant_and_rotation(vendors: FakeVendors) -> None:
    creds = CREDS.model_copy(update={"refresh_token": SecretStr("refresh-0")})
    api = make_api(vendors, creds)
    api.validate()
    assert form(vendors.ninjaone.requests[0]) == {
        "grant_type": "refresh_token",
        "refresh_token": "refresh-0",
        "client_id": "ninja-client",
        "client_secret": "ninja-secret",
    }
    assert vendors.ninjaone.refresh_tokens == ["refresh-0"]
    assert api.credentials() == {
        "client_id": "ninja-client",
        "client_secret": "ninja-secret",
        "refresh_token": "refresh-rotated",
    }


def test_client_credentials_store_no_refresh_token(vendors: FakeVendors) -> None:
    api = make_api(vendors)
    api.validate()
    assert api.credentials() == {"client_id": "ninja-client", "client_secret": "ninja-secret"}


def test_organizations_from_the_fixture(vendors: FakeVendors) -> None:
    assert make_api(vendors).list_organizations() == [
        ExternalOrg("1", "Herrera Technologies"),
        ExternalOrg("2", "KMSP Radio Station"),
        ExternalOrg("6", "Law offices of Delassen-Wills"),
    ]


@pytest.mark.parametrize(
    ("count", "afters"),
    [(650, [None, "500"]), (500, [None, "500"]), (1201, [None, "500", "1000"])],
)
def test_organizations_are_paged_with_after(
    vendors: FakeVendors, count: int, afters: list[str | None]
) -> None:
    vendors.ninjaone.organizations = [{"id": i, "name": f"Org {i}"} for i in range(1, count + 1)]
    orgs = make_api(vendors).list_organizations()
    assert [o.external_id for o in orgs] == [str(i) for i in range(1, count + 1)]
    assert orgs[-1] == ExternalOrg(str(count), f"Org {count}")
    pages = [r for r in vendors.ninjaone.requests if r.url.path == "/v2/organizations"]
    assert [r.url.params.get("after") for r in pages] == afters
    assert {r.url.params["pageSize"] for r in pages} == {"500"}


def test_an_organization_without_a_name_is_named_by_its_id(vendors: FakeVendors) -> None:
    vendors.ninjaone.organizations = [{"id": 12}, {"id": 13, "name": ""}]
    names = [o.name for o in make_api(vendors).list_organizations()]
    assert names == ["12", "13"]


def test_organizations_in_an_unexpected_shape() -> None:
    api = canned(httpx.Response(200, json=TOKEN), httpx.Response(200, json={"items": []}))
    with pytest.raises(VendorError, match="unexpected shape"):
        api.list_organizations()


def test_register_and_remove_webhook(vendors: FakeVendors) -> None:
    api = make_api(vendors)
    api.register_webhook("https://desk.example/webhooks/ninjaone/abc", "s3cret")
    assert vendors.ninjaone.webhook == {
        "url": "https://desk.example/webhooks/ninjaone/abc",
        "activities": {"CONDITION": ["TRIGGERED", "RESET", "ACKNOWLEDGED"]},
        "expand": ["device", "organization", "location"],
        "headers": [{"name": "X-Alertdesk-Secret", "value": "s3cret"}],
    }
    api.remove_webhook()
    assert vendors.ninjaone.webhook is None
    assert [(r.method, r.url.path) for r in vendors.ninjaone.requests[1:]] == [
        ("PUT", "/v2/webhook"),
        ("DELETE", "/v2/webhook"),
    ]


@pytest.mark.parametrize(("uid", "expected"), [("series-uid-1", "series-uid-1"), (None, "177210")])
def test_reset_uses_the_uid_else_the_id(
    vendors: FakeVendors, uid: str | None, expected: str
) -> None:
    make_api(vendors).reset_alert(AlertRef("ninjaone", NINJA_URL, "177210", uid))
    assert vendors.ninjaone.resets == [expected]
    reset = vendors.ninjaone.requests[-1]
    assert (reset.method, json.loads(reset.content)) == ("POST", {})


@pytest.mark.parametrize(
    ("listed", "reset"),
    [("cond-1", ["uid-found"]), ("another-condition", [])],
    ids=["found by its condition", "already cleared at the vendor"],
)
def test_a_missing_uid_is_found_among_the_devices_active_alerts(
    vendors: FakeVendors, listed: str, reset: list[str]
) -> None:
    vendors.ninjaone.alerts = [{"uid": "uid-found", "deviceId": 7, "sourceConfigUid": listed}]
    ref = AlertRef("ninjaone", NINJA_URL, "177210", None, "7", "cond-1")
    make_api(vendors).reset_alert(ref)
    assert vendors.ninjaone.resets == reset
    assert "/v2/device/7/alerts" in vendors.ninjaone.paths("GET")


def test_authorize_url(vendors: FakeVendors) -> None:
    url = make_api(vendors, url=NINJA_URL + "/").authorize_url(REDIRECT, "state-123")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "ninja.test",
        "/ws/oauth/authorize",
    )
    assert {k: v for k, [v] in parse_qs(parts.query).items()} == {
        "response_type": "code",
        "client_id": "ninja-client",
        "redirect_uri": REDIRECT,
        "scope": "monitoring management offline_access",
        "state": "state-123",
    }
    assert vendors.ninjaone.requests == []


def test_exchange_code_keeps_the_tokens(vendors: FakeVendors) -> None:
    api = make_api(vendors)
    api.exchange_code("good-code", REDIRECT)
    assert form(vendors.ninjaone.requests[0]) == {
        "grant_type": "authorization_code",
        "code": "good-code",
        "redirect_uri": REDIRECT,
        "client_id": "ninja-client",
        "client_secret": "ninja-secret",
    }
    assert api.credentials()["refresh_token"] == "refresh-1"
    api.validate()  # the access token from the exchange is used, no second token request
    assert vendors.ninjaone.paths() == ["/ws/oauth/token", "/v2/organizations"]


def test_exchange_of_an_invalid_code(vendors: FakeVendors) -> None:
    api = make_api(vendors)
    with pytest.raises(VendorError) as info:
        api.exchange_code("stale-code", REDIRECT)
    assert (info.value.status, info.value.is_auth_error) == (400, True)
    assert "refresh_token" not in api.credentials()


def test_exchange_without_a_refresh_token() -> None:
    with pytest.raises(VendorError, match="offline_access"):
        canned(httpx.Response(200, json=TOKEN)).exchange_code("code", REDIRECT)


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(httpx.Response(200, json={"token_type": "Bearer"}), id="no-token"),
        pytest.param(httpx.Response(200, json=["access_token"]), id="list"),
        pytest.param(httpx.Response(200, text="<html>login</html>"), id="not-json"),
    ],
)
def test_unusable_token_responses(answer: httpx.Response) -> None:
    with pytest.raises(VendorError, match="NinjaOne") as info:
        canned(answer).validate()
    assert info.value.status is None


def test_wrong_client_secret_is_an_auth_error(vendors: FakeVendors) -> None:
    creds = CREDS.model_copy(update={"client_secret": SecretStr("wrong")})
    with pytest.raises(VendorError) as info:
        make_api(vendors, creds).validate()
    assert (info.value.status, info.value.is_auth_error) == (401, True)
    assert vendors.ninjaone.paths() == ["/ws/oauth/token"]


@pytest.mark.parametrize(
    ("status", "auth", "text"),
    [
        (401, True, "answered 401 to GET /v2/organizations"),
        (403, True, "answered 403"),
        (404, False, "answered 404"),
        (429, False, "rate-limiting us (429); retry after 30 s"),
        (500, False, "answered 500 to GET /v2/organizations"),
        (503, False, "answered 503"),
    ],
)
def test_api_errors_become_vendor_errors(
    vendors: FakeVendors, status: int, auth: bool, text: str
) -> None:
    vendors.ninjaone.fail("/v2/organizations", status, headers={"Retry-After": "30"})
    with pytest.raises(VendorError) as info:
        make_api(vendors).list_organizations()
    assert (info.value.status, info.value.is_auth_error) == (status, auth)
    assert text in str(info.value)


@pytest.mark.parametrize(
    ("setup", "text"),
    [
        pytest.param(lambda v: v.ninjaone.fail("/ws/oauth/token", 0), "did not answer", id="token"),
        pytest.param(lambda v: v.ninjaone.fail("/v2/webhook", 0), "did not answer", id="api"),
    ],
)
def test_timeouts_become_vendor_errors(
    vendors: FakeVendors, setup: Callable[[FakeVendors], None], text: str
) -> None:
    setup(vendors)
    with pytest.raises(VendorError, match=text) as info:
        make_api(vendors).register_webhook("https://desk.example/hook", "s")
    assert (info.value.status, info.value.is_auth_error) == (None, False)


def test_unreachable_host_is_a_vendor_error(vendors: FakeVendors) -> None:
    with pytest.raises(VendorError, match="could not reach NinjaOne") as info:
        make_api(vendors, url="https://nowhere.test").validate()
    assert (info.value.status, info.value.is_auth_error) == (None, False)


def test_429_without_retry_after(vendors: FakeVendors) -> None:
    vendors.ninjaone.fail("/v2/alert/", 429)
    with pytest.raises(VendorError) as info:
        make_api(vendors).reset_alert(AlertRef("ninjaone", NINJA_URL, "1", "u"))
    assert info.value.status == 429
    assert "retry after" not in str(info.value)
