"""Property tests: any bytes, any JSON, any values — the webhook parsers and normalizers only
ever answer an AlertEvent, an Ignored or a BadPayload, and what they answer can be stored."""

from __future__ import annotations

import json
import math
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alertdesk.core.types import AlertEvent
from alertdesk.providers.base import BadPayload, Ignored, WebhookContext, WebhookSource
from alertdesk.providers.ninjaone.webhook import NinjaOneWebhook
from alertdesk.providers.parsing import loads, without_nul
from alertdesk.providers.tacticalrmm.webhook import TacticalWebhook
from alertdesk.testing.fakes import fixture
from alertdesk.web.input_guard import text_problem

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
CTX = WebhookContext(uuid.uuid4(), uuid.uuid4(), "none", NOW)
SOURCES: dict[str, tuple[WebhookSource, Any]] = {
    "ninjaone": (NinjaOneWebhook(), fixture("ninjaone", "condition_triggered.json")),
    "tacticalrmm": (TacticalWebhook(), fixture("tacticalrmm", "webhook_trigger.json")),
}
HOSTILE_TEXT = st.one_of(
    st.text(),
    st.builds(
        lambda a, b: a + b,
        st.sampled_from(["\x00", "\ud800", "None", "True", "RESET", "condition", "9999-12-31"]),
        st.text(max_size=20),
    ),
    st.sampled_from(["0001-01-01 00:00:00+05:00", "9999-12-31 23:59:59-05:00", "NaN", "1e400"]),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(),  # NaN and infinities included
    HOSTILE_TEXT,
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(HOSTILE_TEXT, inner, max_size=4),
    max_leaves=12,
)


def assert_storable(value: Any) -> None:
    """What PostgreSQL (text and JSONB) accepts: no NUL, no lone surrogate, finite numbers."""
    if isinstance(value, str):
        assert text_problem(value) is None, repr(value)
    elif isinstance(value, float):
        assert math.isfinite(value), value
    elif isinstance(value, dict):
        for key, item in value.items():
            assert_storable(key)
            assert_storable(item)
    elif isinstance(value, list | tuple):
        for item in value:
            assert_storable(item)


def run(provider: str, body: bytes) -> AlertEvent | Ignored | None:
    source = SOURCES[provider][0]
    try:
        return source.normalize(source.parse(body), CTX)
    except BadPayload:
        return None


def check(result: AlertEvent | Ignored | None) -> None:
    if isinstance(result, AlertEvent):
        assert result.external_alert_id
        assert result.occurred_at.tzinfo is not None
        for value in vars(result).values():
            assert_storable(value if not isinstance(value, datetime | uuid.UUID) else None)


@pytest.mark.parametrize("provider", sorted(SOURCES))
@settings(max_examples=300, deadline=None, derandomize=True)
@given(body=st.binary(max_size=400))
def test_any_bytes_are_parsed_or_refused_with_bad_payload(provider: str, body: bytes) -> None:
    check(run(provider, body))


@pytest.mark.parametrize("provider", sorted(SOURCES))
@settings(max_examples=300, deadline=None, derandomize=True)
@given(data=st.data())
def test_any_values_in_a_real_payload_normalize_to_something_storable(
    provider: str, data: st.DataObject
) -> None:
    base: dict[str, Any] = dict(SOURCES[provider][1])
    keys = data.draw(st.lists(st.sampled_from(sorted(base)), max_size=5), label="keys")
    changed = base | {key: data.draw(VALUES, label=key) for key in keys}
    body = json.dumps(changed, ensure_ascii=True).encode()  # NaN/Infinity travel as literals
    check(run(provider, body))
    check(run(provider, json.dumps(body.decode()).encode()))  # as Tactical's string literal


@pytest.mark.parametrize("provider", sorted(SOURCES))
@settings(max_examples=200, deadline=None, derandomize=True)
@given(payload=VALUES)
def test_any_json_document_normalizes_or_is_refused(provider: str, payload: Any) -> None:
    check(run(provider, json.dumps(payload, ensure_ascii=True).encode()))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(VALUES, st.booleans())
def test_decoded_json_is_storable_however_it_was_written(value: Any, ascii_only: bool) -> None:
    """The fast path (no walk when the text can hold no NUL or lone surrogate) decodes exactly
    what the full walk does, escaped (`\\u0000`, `\\ud800`) or written raw."""
    text = json.dumps(value, ensure_ascii=ascii_only)
    decoded = loads(text)
    assert_storable(decoded)
    assert decoded == without_nul(json.loads(text, strict=False, parse_constant=str))
