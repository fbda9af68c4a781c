"""Vendor HTTP calls with one error vocabulary: every failure becomes a VendorError."""

from __future__ import annotations

from typing import Any

import httpx

from alertdesk.providers.base import ExternalOrg, VendorError


def call(http: httpx.Client, label: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """Send one request; timeouts, network errors, 429 and 4xx/5xx raise VendorError."""
    try:
        response = http.request(method, url, **kwargs)
    except httpx.TimeoutException as exc:
        raise VendorError(f"{label} did not answer in time ({method} {_path(url)})") from exc
    except httpx.HTTPError as exc:
        raise VendorError(f"could not reach {label}: {exc}") from exc
    if response.status_code == 429:
        retry = response.headers.get("retry-after")
        hint = f"; retry after {retry} s" if retry else ""
        raise VendorError(f"{label} is rate-limiting us (429){hint}", 429)
    if response.status_code >= 400:
        detail = response.text.strip().replace("\n", " ")[:200]
        message = f"{label} answered {response.status_code} to {method} {_path(url)}"
        raise VendorError(f"{message}: {detail}" if detail else message, response.status_code)
    return response


def json_of(response: httpx.Response, label: str) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise VendorError(f"{label} sent a response that is not JSON") from exc


def _path(url: str) -> str:
    return httpx.URL(url).path


def organizations(items: Any, label: str) -> list[ExternalOrg]:
    """Vendor organization records ({id, name}) → ExternalOrg; any other shape is a VendorError."""
    if not isinstance(items, list) or not all(isinstance(i, dict) and "id" in i for i in items):
        raise VendorError(f"{label} sent organizations in an unexpected shape")
    return [ExternalOrg(str(i["id"]), str(i.get("name") or i["id"])) for i in items]
