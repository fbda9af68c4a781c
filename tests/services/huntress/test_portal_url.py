"""The Huntress portal link is built only from a plain subdomain label."""

from __future__ import annotations

import pytest

from alertdesk.services.huntress.settings import portal_url


@pytest.mark.parametrize(
    ("subdomain", "expected"),
    [
        ("examplemsp", "https://examplemsp.huntress.io"),
        ("acme-it", "https://acme-it.huntress.io"),
        (None, None),
        ("", None),
        ("evil.example/x", None),
        ("a b", None),
        ("ünicode", None),
        ("javascript:alert(1)", None),
    ],
)
def test_portal_url(subdomain: str | None, expected: str | None) -> None:
    assert portal_url(subdomain) == expected
