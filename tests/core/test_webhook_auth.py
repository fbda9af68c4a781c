"""Webhook authentication: secret header, HMAC-SHA256 signature of the raw body, ?token=."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from alertdesk.core.webhook_auth import AuthMethod, authenticate, sign

SECRET = "Zm9vYmFyLXNlY3JldC0yNTYtYml0cw"
BODY = b'{"id": 177210, "statusCode": "TRIGGERED"}'
HEX = hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()


def test_sign_is_hmac_sha256_hex_with_prefix() -> None:
    assert sign(SECRET, BODY) == "sha256=" + HEX
    assert sign(SECRET, BODY + b" ") != sign(SECRET, BODY)


@pytest.mark.parametrize(
    ("headers", "token", "expected"),
    [
        pytest.param({"x-alertdesk-secret": SECRET}, None, "header", id="header"),
        pytest.param({"x-alertdesk-secret": SECRET + "x"}, None, None, id="header-wrong"),
        pytest.param({"x-alertdesk-secret": SECRET.upper()}, None, None, id="header-case"),
        pytest.param({"x-alertdesk-secret": ""}, None, None, id="header-empty"),
        pytest.param({"x-alertdesk-signature": "sha256=" + HEX}, None, "signature", id="sig"),
        pytest.param(
            {"x-alertdesk-signature": "SHA256=" + HEX.upper()}, None, "signature", id="sig-upper"
        ),
        pytest.param(
            {"x-alertdesk-signature": f" sha256={HEX} "}, None, "signature", id="sig-spaces"
        ),
        pytest.param({"x-alertdesk-signature": HEX}, None, None, id="sig-no-prefix"),
        pytest.param(
            {"x-alertdesk-signature": "sha256=" + HEX[:-1] + "0"}, None, None, id="sig-wrong"
        ),
        pytest.param(
            {"x-alertdesk-signature": sign("other", BODY)}, None, None, id="sig-other-secret"
        ),
        pytest.param({"x-alertdesk-signature": "sha1=" + HEX}, None, None, id="sig-sha1"),
        pytest.param({}, SECRET, "token", id="token"),
        pytest.param({}, SECRET[:-1], None, id="token-wrong"),
        pytest.param({}, "", None, id="token-empty"),
        pytest.param({}, None, None, id="nothing"),
        pytest.param({"authorization": f"Bearer {SECRET}"}, None, None, id="other-header"),
        pytest.param(
            {"x-alertdesk-secret": "wrong", "x-alertdesk-signature": "sha256=" + HEX},
            None,
            "signature",
            id="wrong-header-right-signature",
        ),
        pytest.param(
            {"x-alertdesk-secret": "wrong", "x-alertdesk-signature": "bad"},
            SECRET,
            "token",
            id="wrong-header-and-signature-right-token",
        ),
        pytest.param(
            {"x-alertdesk-secret": SECRET}, "wrong", "header", id="header-wins-over-token"
        ),
    ],
)
def test_authenticate(
    headers: dict[str, str], token: str | None, expected: AuthMethod | None
) -> None:
    assert authenticate(SECRET, headers, token, BODY) == expected


def test_signature_covers_the_raw_body() -> None:
    headers = {"x-alertdesk-signature": sign(SECRET, BODY)}
    assert authenticate(SECRET, headers, None, BODY) == "signature"
    assert authenticate(SECRET, headers, None, BODY.replace(b"177210", b"177211")) is None


def test_non_ascii_values_are_refused_not_raised() -> None:
    headers = {"x-alertdesk-secret": "sécret", "x-alertdesk-signature": "sha256=é"}
    assert authenticate(SECRET, headers, "tökén", BODY) is None


@pytest.mark.parametrize(
    ("headers", "token"),
    [
        pytest.param({"x-alertdesk-secret": ""}, None, id="empty-header"),
        pytest.param({}, "", id="empty-token"),
        pytest.param({"x-alertdesk-signature": sign("", BODY)}, None, id="empty-key-signature"),
    ],
)
def test_an_empty_secret_never_matches(headers: dict[str, str], token: str | None) -> None:
    assert authenticate("", headers, token, BODY) is None


def test_an_empty_secret_with_no_credentials_is_refused() -> None:
    assert authenticate("", {}, None, BODY) is None
