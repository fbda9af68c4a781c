"""The address guard for multi-tenant installs: non-public vendor addresses are refused unless
allowlisted, requests go to the address checked, and the allowlist setting parses strictly."""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import ip_address

import httpx
import pytest
from pydantic import SecretStr, ValidationError

from alertdesk.providers.address_guard import AddressGuard, AddressNotAllowed, Allowlist, Resolver
from alertdesk.providers.base import VendorError
from alertdesk.providers.tacticalrmm.api import TacticalApi, TacticalCredentials
from alertdesk.settings import Settings, allowlist_entry
from alertdesk.testing.fakes import serving

PUBLIC = "93.184.215.14"


class Vendor:
    """A fake vendor that answers 200 and records where each request was sent."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json=[])


def resolver(answers: dict[str, Sequence[str]]) -> tuple[list[str], Resolver]:
    """A resolver answering from `answers` (else like an unknown name), and what it was asked."""
    asked: list[str] = []

    def resolve(host: str, port: int) -> Sequence[str]:
        asked.append(f"{host}:{port}")
        if host not in answers:
            raise OSError("Name or service not known")
        return answers[host]

    return asked, resolve


def allowing(entries: Sequence[str]) -> Allowlist:
    return Allowlist(tuple(allowlist_entry(e) for e in entries))


def guarded(
    vendor: Vendor, answers: dict[str, Sequence[str]], allow: Sequence[str] = ()
) -> httpx.Client:
    _, resolve = resolver(answers)
    guard = AddressGuard(httpx.MockTransport(vendor), allowing(allow), resolve)
    return httpx.Client(transport=guard)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.20",
        "169.254.169.254",
        "100.64.0.1",
        "100.127.255.254",
        "0.0.0.0",  # noqa: S104 - an address to refuse, not to bind
        "224.0.0.251",
        "240.0.0.1",
        "255.255.255.255",
        "198.18.0.1",
        "::1",
        "::",
        "fe80::1",
        "fc00::5",
        "fd12:3456::1",
        "fec0::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::127.0.0.1",
        "64:ff9b::a00:1",
        "2002:a00:1::1",
        "2001:db8::1",
    ],
)
def test_non_public_addresses_are_refused_before_any_request(address: str) -> None:
    vendor = Vendor()
    with pytest.raises(AddressNotAllowed, match="resolves to an address that is not public"):
        guarded(vendor, {"rmm.example": [address]}).get("https://rmm.example/agents/")
    assert vendor.requests == []


@pytest.mark.parametrize(
    "literal", ["127.0.0.1", "[::1]", "[fe80::1]", "[::ffff:127.0.0.1]", "10.0.0.8"]
)
def test_address_literals_are_checked_without_a_lookup(literal: str) -> None:
    vendor = Vendor()
    with pytest.raises(AddressNotAllowed, match="is not a public address"):
        guarded(vendor, {}).get(f"http://{literal}:8000/metrics")
    assert vendor.requests == []


@pytest.mark.parametrize("address", [PUBLIC, "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_pass_and_the_request_goes_to_the_address_checked(address: str) -> None:
    vendor = Vendor()
    guarded(vendor, {"rmm.example": [address]}).get("https://rmm.example:8443/agents/?a=1")
    [sent] = vendor.requests
    assert ip_address(sent.url.host) == ip_address(address)
    assert (sent.url.port, sent.url.path, sent.url.query) == (8443, "/agents/", b"a=1")
    assert sent.headers["host"] == "rmm.example:8443"
    assert sent.extensions["sni_hostname"] == "rmm.example"
    assert sent.headers["connection"] == "close"


def test_one_non_public_address_among_public_ones_is_enough_to_refuse() -> None:
    vendor = Vendor()
    with pytest.raises(AddressNotAllowed):
        guarded(vendor, {"rmm.example": [PUBLIC, "10.0.0.4"]}).get("https://rmm.example/")
    assert vendor.requests == []


def test_the_lookup_uses_the_port_of_the_url_and_the_encoded_host_name() -> None:
    asked, resolve = resolver({"xn--bcher-kva.example": [PUBLIC]})
    guard = AddressGuard(httpx.MockTransport(Vendor()), resolve=resolve)
    with httpx.Client(transport=guard) as client:
        client.get("https://bücher.example/")
        client.get("http://bücher.example/")
        client.get("http://bücher.example:8080/")
    assert asked == [
        "xn--bcher-kva.example:443",
        "xn--bcher-kva.example:80",
        "xn--bcher-kva.example:8080",
    ]


@pytest.mark.parametrize(
    ("allow", "answers", "url"),
    [
        pytest.param(["10.0.0.0/8"], {"rmm.lan": ["10.20.30.40"]}, "https://rmm.lan/", id="cidr"),
        pytest.param(["10.20.30.40"], {"rmm.lan": ["10.20.30.40"]}, "https://rmm.lan/", id="ip"),
        pytest.param(["fd00::/8"], {"rmm.lan": ["fd00::7"]}, "https://rmm.lan/", id="cidr6"),
        pytest.param(["127.0.0.0/8"], {}, "http://127.0.0.1:8000/", id="literal"),
        pytest.param(["RMM.lan"], {}, "https://rmm.lan/", id="host"),
        pytest.param(["rmm.lan."], {}, "https://RMM.LAN./", id="host-case-dot"),
    ],
)
def test_allowlisted_networks_and_hosts_pass(
    allow: list[str], answers: dict[str, Sequence[str]], url: str
) -> None:
    vendor = Vendor()
    assert guarded(vendor, answers, allow).get(url).status_code == 200
    assert len(vendor.requests) == 1


def test_an_allowlisted_host_is_sent_unchanged_without_a_lookup() -> None:
    vendor = Vendor()
    guarded(vendor, {}, ["rmm.lan"]).get("https://rmm.lan/agents/")
    [sent] = vendor.requests
    assert str(sent.url) == "https://rmm.lan/agents/"
    assert "sni_hostname" not in sent.extensions


def test_the_allowlist_covers_only_what_it_names() -> None:
    vendor = Vendor()
    client = guarded(
        vendor,
        {"other.lan": ["10.9.9.9"], "sub.rmm.lan": ["192.168.0.2"]},
        ["10.0.0.0/16", "rmm.lan"],
    )
    for url in ("https://other.lan/", "https://sub.rmm.lan/"):
        with pytest.raises(AddressNotAllowed):
            client.get(url)
    assert vendor.requests == []


def test_an_unknown_host_is_a_connect_error() -> None:
    with pytest.raises(httpx.ConnectError, match=r"cannot resolve nowhere\.example"):
        guarded(Vendor(), {}).get("https://nowhere.example/")


def test_call_turns_a_refusal_into_a_clear_vendor_error() -> None:
    creds = TacticalCredentials(api_key=SecretStr("k"))
    api = TacticalApi("https://rmm.lan", creds, guarded(Vendor(), {"rmm.lan": ["10.0.0.4"]}))
    with pytest.raises(VendorError) as info:
        api.validate()
    assert str(info.value) == (
        "address not allowed for TacticalRMM: rmm.lan resolves to an address that is not"
        " public (this server is set to call public addresses only)"
    )
    assert "10.0.0.4" not in str(info.value)
    assert info.value.status is None


def test_without_the_guard_private_addresses_are_called() -> None:
    vendor = Vendor()
    with httpx.Client(transport=httpx.MockTransport(vendor)) as client:
        assert client.get("http://127.0.0.1:8000/").status_code == 200
    assert vendor.requests[0].url.host == "127.0.0.1"


@pytest.mark.parametrize(
    ("raw", "entries"),
    [
        ("", []),
        ("10.0.0.0/8", ["10.0.0.0/8"]),
        (" 10.0.0.0/8 , rmm.LAN. ,, fd00::/8,", ["10.0.0.0/8", "rmm.lan", "fd00::/8"]),
        ("192.168.1.7", ["192.168.1.7/32"]),
        ("10.1.2.3/8", ["10.0.0.0/8"]),
        ("::1", ["::1/128"]),
        ("tactical_rmm.office,localhost", ["tactical_rmm.office", "localhost"]),
    ],
)
def test_the_allowlist_setting_is_comma_separated(
    monkeypatch: pytest.MonkeyPatch, raw: str, entries: list[str]
) -> None:
    monkeypatch.setenv("ALERTDESK_BLOCK_PRIVATE_VENDOR_ADDRESSES", "true")
    monkeypatch.setenv("ALERTDESK_VENDOR_ADDRESS_ALLOWLIST", raw)
    settings = Settings()
    assert settings.block_private_vendor_addresses is True
    assert [str(e) for e in settings.vendor_address_allowlist] == entries
    networks = [e for e in settings.vendor_address_allowlist if not isinstance(e, str)]
    assert [str(n) for n in networks] == [e for e in entries if "/" in e]


@pytest.mark.parametrize(
    "raw", ["10.0.0.0/33", "10.1", "rmm lan", "*.rmm.lan", "https://rmm.lan", "fd00::/129", "-x"]
)
def test_a_bad_allowlist_entry_stops_the_start(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("ALERTDESK_VENDOR_ADDRESS_ALLOWLIST", f"10.0.0.0/8,{raw}")
    with pytest.raises(ValidationError) as info:
        Settings()
    assert "ALERTDESK_VENDOR_ADDRESS_ALLOWLIST" in str(info.value)
    assert f"{raw!r} is neither a network (CIDR), an address nor a host name" in str(info.value)


def test_blocking_is_off_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALERTDESK_BLOCK_PRIVATE_VENDOR_ADDRESSES", raising=False)
    monkeypatch.delenv("ALERTDESK_VENDOR_ADDRESS_ALLOWLIST", raising=False)
    settings = Settings()
    assert (settings.block_private_vendor_addresses, settings.vendor_address_allowlist) == (
        False,
        (),
    )


def test_through_a_real_connection_the_host_name_is_kept() -> None:
    vendor = Vendor()
    with serving(vendor) as base:
        port = httpx.URL(base).port
        _, resolve = resolver({"rmm.lan": ["127.0.0.1"]})
        guard = AddressGuard(httpx.HTTPTransport(), allowing(["127.0.0.0/8"]), resolve)
        with httpx.Client(transport=guard) as client:
            assert client.get(f"http://rmm.lan:{port}/agents/").status_code == 200
    [sent] = vendor.requests
    assert (sent.headers["host"], sent.url.path) == (f"rmm.lan:{port}", "/agents/")
