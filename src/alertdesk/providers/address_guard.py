"""An httpx transport wrapper for multi-tenant installs: vendor requests go only to public
addresses (or allowlisted hosts and networks), checked on every request after resolving."""

from __future__ import annotations

import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

import httpx

IPAddress = IPv4Address | IPv6Address
Resolver = Callable[[str, int], Sequence[str]]
"""host, port → the addresses a connection would try (socket.getaddrinfo by default)."""

CGNAT = IPv4Network("100.64.0.0/10")
NAT64 = IPv6Network("64:ff9b::/96")


class AddressNotAllowed(httpx.TransportError):
    """The vendor host is, or resolves to, an address this install is configured not to call."""


@dataclass(frozen=True)
class Allowlist:
    """Networks and (lower-case) host names that may be called although not public; Settings
    parses them from ALERTDESK_VENDOR_ADDRESS_ALLOWLIST."""

    entries: tuple[IPv4Network | IPv6Network | str, ...] = ()

    def allows_host(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.entries

    def allows_address(self, address: IPAddress) -> bool:
        return any(not isinstance(e, str) and address in e for e in self.entries)


def is_public(address: IPAddress) -> bool:
    """Globally routable unicast: not loopback, link-local, private, CGNAT, reserved, multicast."""
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        return is_public(embedded)
    special = address.is_multicast or address.is_reserved or address.is_link_local
    if isinstance(address, IPv6Address):
        special = special or address.is_site_local
    return address.is_global and not special and address not in CGNAT


def _embedded_ipv4(address: IPAddress) -> IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped ::ffff:a.b.c.d, 6to4, NAT64)."""
    if isinstance(address, IPv4Address):
        return None
    if address in NAT64:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return address.ipv4_mapped or address.sixtofour


def system_resolver(host: str, port: int) -> list[str]:
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


class AddressGuard(httpx.BaseTransport):
    """Wraps another transport; each request is checked, then sent to the address checked
    (no second lookup that a short-lived DNS answer could point elsewhere)."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        allowlist: Allowlist | None = None,
        resolve: Resolver = system_resolver,
    ) -> None:
        self.inner = inner
        self.allowlist = allowlist or Allowlist()
        self.resolve = resolve

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.raw_host.decode("ascii")
        if self.allowlist.allows_host(host):
            return self.inner.handle_request(request)
        return self.inner.handle_request(_pinned(request, self._vetted(request, host)))

    def close(self) -> None:
        self.inner.close()

    def _vetted(self, request: httpx.Request, host: str) -> IPAddress:
        """The address to connect to, when every address of `host` may be called."""
        try:
            found = [ip_address(host)]
            what = f"{host} is not a public address"
        except ValueError:
            found = self._lookup(request, host)
            what = f"{host} resolves to an address that is not public"
        if any(not (is_public(a) or self.allowlist.allows_address(a)) for a in found):
            raise AddressNotAllowed(what, request=request)
        return found[0]

    def _lookup(self, request: httpx.Request, host: str) -> list[IPAddress]:
        port = request.url.port or (443 if request.url.scheme == "https" else 80)
        try:
            found = [ip_address(a.partition("%")[0]) for a in self.resolve(host, port)]
        except (OSError, UnicodeError, ValueError) as exc:
            raise httpx.ConnectError(f"cannot resolve {host}", request=request) from exc
        if not found:
            raise httpx.ConnectError(f"cannot resolve {host}", request=request)
        return found


def _pinned(request: httpx.Request, address: IPAddress) -> httpx.Request:
    """The request sent to `address`, still naming its host in Host and in TLS (SNI and the
    certificate check); `Connection: close` keeps a TLS session checked for one host from
    being reused for another host on the same address."""
    headers = httpx.Headers(request.headers)
    headers["Connection"] = "close"
    sni = {"sni_hostname": request.url.raw_host.decode("ascii")}
    return httpx.Request(
        request.method,
        request.url.copy_with(host=str(address)),
        headers=headers,
        stream=request.stream,
        extensions={**request.extensions, **sni},
    )
