"""Huntress client (seed Task 7): Basic auth, envelopes unwrapped, page tokens followed, 404 →
None on single records, 429 waited out (Retry-After, else a backoff) a limited number of
times, requests spaced per account, every request counted."""

from __future__ import annotations

import base64

import httpx
import pytest

from alertdesk.providers.base import VendorError
from alertdesk.providers.huntress.api import (
    DEFAULT_URL,
    MIN_INTERVAL,
    RATE_LIMIT_BACKOFF,
    HuntressApi,
    HuntressCredentials,
    Pacer,
)
from alertdesk.testing.fakes import HUNTRESS_URL, FakeHuntress


class FakeTime:
    """A clock and a sleep that only move time forward (no real waiting)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake() -> FakeHuntress:
    return FakeHuntress()


@pytest.fixture
def time_() -> FakeTime:
    return FakeTime()


def api(
    fake: FakeHuntress,
    time_: FakeTime,
    url: str = HUNTRESS_URL,
    secret: str = "hk-secret",  # noqa: S107
) -> HuntressApi:
    creds = HuntressCredentials.model_validate({"api_key": "hk-key", "api_secret": secret})
    return HuntressApi(url, creds, fake.client(), Pacer(time_.clock, time_.sleep))


def test_basic_auth_and_the_account_unwrapped(fake: FakeHuntress, time_: FakeTime) -> None:
    account = api(fake, time_).account()
    assert account["subdomain"] == "examplemsp"  # inside {"account": {...}}, as Huntress sends it
    token = base64.b64encode(b"hk-key:hk-secret").decode()
    assert fake.requests[0].headers["authorization"] == f"Basic {token}"
    assert fake.requests[0].url.path == "/v1/account"


def test_the_default_address_is_huntress_cloud(fake: FakeHuntress, time_: FakeTime) -> None:
    assert api(fake, time_, url="").base == DEFAULT_URL


def test_wrong_credentials_are_a_vendor_error_naming_the_status(
    fake: FakeHuntress, time_: FakeTime
) -> None:
    with pytest.raises(VendorError) as caught:
        api(fake, time_, secret="wrong").validate()
    assert (caught.value.status, caught.value.is_auth_error) == (401, True)


def test_organizations_follow_page_tokens(fake: FakeHuntress, time_: FakeTime) -> None:
    fake.organizations = [{"id": n, "name": f"Org {n}"} for n in range(1, 1203)]
    client = api(fake, time_)
    orgs = client.list_organizations()
    assert [o.external_id for o in orgs] == [str(n) for n in range(1, 1203)]
    tokens = [r.url.params.get("page_token") for r in fake.requests]
    assert tokens == [None, "500", "1000"]
    assert all(r.url.params["limit"] == "500" for r in fake.requests)
    assert client.requests == 3


def test_incident_pages_are_newest_change_first(fake: FakeHuntress, time_: FakeTime) -> None:
    page = api(fake, time_).incident_reports_page("0")
    params = fake.requests[-1].url.params
    assert (params["sort_field"], params["sort_direction"], params["limit"]) == (
        "updated_at", "desc", "500",
    )  # fmt: skip
    updated = [i["updated_at"] for i in page.items]
    assert updated == sorted(updated, reverse=True)
    assert page.next_token is None


@pytest.mark.parametrize(("method", "key"), [("agent", "hostname"), ("organization", "name")])
def test_single_records_are_unwrapped_and_a_404_is_none(
    fake: FakeHuntress, time_: FakeTime, method: str, key: str
) -> None:
    client = api(fake, time_)
    known = fake.agents[0]["id"] if method == "agent" else fake.organizations[0]["id"]
    record = getattr(client, method)(str(known))
    assert record is not None
    assert key in record
    assert getattr(client, method)("999999") is None


def test_a_429_waits_as_told_then_succeeds(fake: FakeHuntress, time_: FakeTime) -> None:
    fake.fail("/v1/account", 429, times=1, headers={"Retry-After": "3"})
    assert api(fake, time_).account()["id"] == 4812
    assert 3.0 in time_.sleeps
    assert len(fake.requests) == 2


def test_a_429_without_retry_after_backs_off(fake: FakeHuntress, time_: FakeTime) -> None:
    fake.fail("/v1/account", 429, times=1)
    api(fake, time_).account()
    assert RATE_LIMIT_BACKOFF in time_.sleeps


def test_gives_up_after_two_retries(fake: FakeHuntress, time_: FakeTime) -> None:
    fake.fail("/v1/account", 429, times=3)
    with pytest.raises(VendorError) as caught:
        api(fake, time_).account()
    assert caught.value.status == 429
    assert len(fake.requests) == 3


@pytest.mark.parametrize("status", [500, 503, 0])
def test_server_errors_and_timeouts_are_vendor_errors(
    fake: FakeHuntress, time_: FakeTime, status: int
) -> None:
    fake.fail("/v1/incident_reports", status)
    with pytest.raises(VendorError):
        api(fake, time_).incident_reports_page()


def test_requests_of_one_account_are_spaced(fake: FakeHuntress, time_: FakeTime) -> None:
    client = api(fake, time_)
    client.account()
    client.account()
    time_.now += 5  # a pause longer than the interval: no wait
    client.account()
    assert time_.sleeps == [pytest.approx(MIN_INTERVAL)]


def test_an_envelope_without_its_record_is_a_vendor_error(time_: FakeTime) -> None:
    broken = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200, json={})))
    creds = HuntressCredentials.model_validate({"api_key": "k", "api_secret": "s"})
    client = HuntressApi(HUNTRESS_URL, creds, broken, Pacer(time_.clock, time_.sleep))
    with pytest.raises(VendorError, match="account"):
        client.account()
    with pytest.raises(VendorError, match="incident_reports"):
        client.incident_reports_page()
