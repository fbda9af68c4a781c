"""Vendor HTTP calls with one error vocabulary: every failure becomes a VendorError that names
the vendor's status and JSON error field, never a raw body or whether a port is open."""

from __future__ import annotations

import re
from typing import Any

import httpx

from alertdesk.providers.address_guard import AddressNotAllowed
from alertdesk.providers.base import BadPayload, ExternalOrg, VendorError
from alertdesk.providers.parsing import loads

ERROR_KEYS = ("error_description", "errorMessage", "message", "detail", "error", "resultCode")
SECONDS = re.compile(r"[0-9]{1,6}")  # Retry-After as delay-seconds; anything else is not echoed
MAX_ERROR_BODY = 64_000
MAX_DETAIL = 200
ONLY_PUBLIC = "this server is set to call public addresses only"


def call(http: httpx.Client, label: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """Send one request; timeouts, network errors, 429 and 4xx/5xx raise VendorError."""
    where = f"{label} at {httpx.URL(url).host}"
    try:
        response = http.request(method, url, **kwargs)
    except AddressNotAllowed as exc:
        raise VendorError(f"address not allowed for {label}: {exc} ({ONLY_PUBLIC})") from exc
    except httpx.ConnectTimeout as exc:  # like a refused connection: port state stays unsaid
        raise VendorError(f"could not reach {where}") from exc
    except httpx.TimeoutException as exc:
        raise VendorError(f"{where} did not answer in time ({method} {_path(url)})") from exc
    except httpx.HTTPError as exc:  # refused, reset, DNS, TLS: one message for all
        raise VendorError(f"could not reach {where}") from exc
    if response.status_code == 429:
        retry = response.headers.get("retry-after", "").strip()
        seconds = float(retry) if SECONDS.fullmatch(retry) else None
        hint = f"; retry after {retry} s" if seconds is not None else ""
        raise VendorError(f"{label} is rate-limiting us (429){hint}", 429, seconds)
    if response.status_code >= 400:
        message = f"{label} answered {response.status_code} to {method} {_path(url)}"
        detail = vendor_error(response)
        raise VendorError(f"{message}: {detail}" if detail else message, response.status_code)
    return response


def vendor_error(response: httpx.Response) -> str:
    """The vendor's own error text from a JSON body, cleaned and clipped; "" for any other body."""
    if "json" not in response.headers.get("content-type", ""):
        return ""
    if len(response.content) > MAX_ERROR_BODY:
        return ""
    try:
        found = _error_field(response.json())
    except ValueError:
        return ""
    text = " ".join("".join(c if c.isprintable() else " " for c in found).split())
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 1] + "…"


def _error_field(body: Any, nested: bool = False) -> str:
    """The first non-empty string under a usual error key; one level into {"error": {...}}."""
    if not isinstance(body, dict):
        return ""
    for key in ERROR_KEYS:
        value = body.get(key)
        if isinstance(value, str) and value.strip():
            return value
        if isinstance(value, dict) and not nested and (inner := _error_field(value, True)):
            return inner
    return ""


def json_of(response: httpx.Response, label: str) -> Any:
    """The JSON body as we can store it (no NUL or lone surrogate; NaN and 1e400 as text)."""
    try:
        return loads(response.text)
    except BadPayload as exc:
        raise VendorError(f"{label} sent a response that is not JSON") from exc


def _path(url: str) -> str:
    return httpx.URL(url).path


def organizations(items: Any, label: str) -> list[ExternalOrg]:
    """Vendor organization records ({id, name}) → ExternalOrg; any other shape is a VendorError."""
    if not isinstance(items, list) or not all(isinstance(i, dict) and "id" in i for i in items):
        raise VendorError(f"{label} sent organizations in an unexpected shape")
    return [ExternalOrg(str(i["id"]), str(i.get("name") or i["id"])) for i in items]
