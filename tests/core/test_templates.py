"""T007: ticket templates, placeholder fallbacks, default title/description, provider labels."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from alertdesk.core.templates import (
    default_description,
    default_title,
    placeholder_values,
    render,
    ticket_text,
)
from alertdesk.core.types import AlertEvent, provider_label

P = pytest.param
BARE = AlertEvent(
    tenant=uuid.UUID(int=1),
    integration_id=uuid.UUID(int=2),
    provider="ninjaone",
    kind="triggered",
    external_alert_id="alert-1",
    occurred_at=datetime(2026, 1, 5, 12, 30, tzinfo=UTC),
)
EVENT = replace(
    BARE,
    severity="major",
    external_device_id="dev-1",
    device_name="SRV-01",
    activity_type="CONDITION",
    alert_class="DISK_SPACE_LOW",
    external_org_id="500",
    message="Disk C: is at 95% capacity",
)
VALUES = {"device": "SRV-01", "message": "Disk full", "severity": "major", "organization": "Acme"}


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        P("{{device}}", "SRV-01", id="plain"),
        P("{{ Device }}", "SRV-01", id="capitalized-with-spaces"),
        P("{{  SEVERITY\t}}", "major", id="upper-with-tab"),
        P("{{message}} on {{device}} ({{organization}})", "Disk full on SRV-01 (Acme)", id="many"),
        P("{{ ticket }} {{device}}", "{{ ticket }} SRV-01", id="unknown-kept-as-written"),
        P("{device} {{device", "{device} {{device", id="not-a-placeholder"),
        P("no placeholders", "no placeholders", id="literal"),
    ],
)
def test_render(template: str, expected: str) -> None:
    assert render(template, VALUES) == expected


def test_render_does_not_expand_placeholders_inside_values() -> None:
    assert render("{{message}}", {"message": "{{device}} \\1"}) == "{{device}} \\1"


@pytest.mark.parametrize(
    ("changes", "organization", "expected"),
    [
        P({}, "Acme", {"device": "SRV-01", "organization": "Acme"}, id="names-known"),
        P({"device_name": None}, None, {"device": "dev-1", "organization": "500"}, id="ids"),
        P(
            {"device_name": None, "external_device_id": None, "external_org_id": None},
            None,
            {"device": "Unknown device", "organization": ""},
            id="nothing-known",
        ),
        P({"message": None}, "", {"message": "", "severity": "major"}, id="no-message"),
    ],
)
def test_placeholder_values(
    changes: dict[str, Any], organization: str | None, expected: dict[str, str]
) -> None:
    values = placeholder_values(replace(EVENT, **changes), organization)
    assert {key: values[key] for key in expected} == expected


LONG = " ".join(["word"] * 100)  # 499 characters


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        P(EVENT, "Disk C: is at 95% capacity — SRV-01", id="message-and-device"),
        P(replace(EVENT, message="disk full"), "Disk full — SRV-01", id="capitalized"),
        P(replace(EVENT, message="Disk full.\nDetails: x\x00y"), "Disk full — SRV-01",
          id="first-line-without-full-stop"),
        P(replace(EVENT, message="\n\n  Disk\tfull  \x00now "), "Disk full now — SRV-01",
          id="control-characters-and-spaces"),
        P(replace(EVENT, message="CPU is greater than 90% from 2026-01-05T12:00:00Z to "
                                 "2026-01-05T12:05:00Z"), "CPU above 90% — SRV-01",
          id="comparison-and-period"),
        P(replace(EVENT, summary="Disk D: free space at or below 10%"),
          "Disk D: free space at or below 10% — SRV-01", id="the-providers-summary-first"),
        P(replace(EVENT, summary="vmm_cond_x"), "Disk C: is at 95% capacity — SRV-01",
          id="a-summary-that-is-a-code-is-passed-over"),
        P(replace(EVENT, message="vmm_cond_memory_usage_ge"), "NinjaOne alert — SRV-01",
          id="message-is-a-code"),
        P(replace(EVENT, message=None), "NinjaOne alert — SRV-01", id="no-message-codes-only"),
        P(replace(EVENT, message="", alert_class="Disk space low"), "Disk space low — SRV-01",
          id="class-in-words"),
        P(replace(EVENT, device_name=None), "Disk C: is at 95% capacity — dev-1",
          id="device-id-fallback"),
        P(replace(EVENT, device_name="SRV\n01"), "Disk C: is at 95% capacity — SRV 01",
          id="device-one-line"),
        P(BARE, "NinjaOne alert — unknown device", id="bare"),
        P(replace(BARE, provider="tacticalrmm"), "Tactical RMM alert — unknown device",
          id="tactical-label"),
        P(replace(BARE, provider="tacticalrmm", summary="Check failed"),
          "Check failed — unknown device", id="summary-without-message"),
        P(replace(BARE, provider="levelio"), "Level alert — unknown device", id="level"),
        P(replace(BARE, provider="acmewatch"), "Acmewatch alert — unknown device",
          id="unlisted-provider-capitalized"),
    ],
)  # fmt: skip
def test_default_title(event: AlertEvent, expected: str) -> None:
    assert default_title(event) == expected


def test_a_long_message_is_cut_at_a_word() -> None:
    title = default_title(replace(EVENT, message=LONG, device_name="D" * 300))
    what, device = title.split(" — ")
    assert len(title) <= 255
    assert what.endswith("word…")
    assert len(what) <= 160
    assert device == "D" * 79 + "…"


@pytest.mark.parametrize(
    ("provider", "label"),
    [
        P("ninjaone", "NinjaOne", id="ninjaone"),
        P("tacticalrmm", "Tactical RMM", id="tacticalrmm"),
        P("huntress", "Huntress", id="huntress"),
        P("levelio", "Level", id="levelio"),
        P("tanium", "Tanium", id="tanium"),
        P("datto", "Datto", id="unknown-capitalized"),
    ],
)
def test_provider_label(provider: str, label: str) -> None:
    assert provider_label(provider) == label


def test_default_description_lists_every_known_field_then_the_message() -> None:
    assert default_description(EVENT).split("\n") == [
        "Alert from NinjaOne.",
        "Severity: major",
        "Device: SRV-01",
        "Activity type: CONDITION",
        "Alert class: DISK_SPACE_LOW",
        "Triggered at: 2026-01-05T12:30:00+00:00",
        "",
        "Disk C: is at 95% capacity",
    ]


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        P(
            replace(BARE, provider="tacticalrmm"),
            [
                "Alert from Tactical RMM.",
                "Severity: none",
                "Triggered at: 2026-01-05T12:30:00+00:00",
            ],
            id="only-required-lines",
        ),
        P(
            replace(BARE, external_device_id="dev-1", alert_class="X"),
            [
                "Alert from NinjaOne.",
                "Severity: none",
                "Device: dev-1",
                "Alert class: X",
                "Triggered at: 2026-01-05T12:30:00+00:00",
            ],
            id="device-id-and-class",
        ),
    ],
)
def test_default_description_omits_missing_fields(event: AlertEvent, expected: list[str]) -> None:
    assert default_description(event).split("\n") == expected


DEFAULTS = (default_title(EVENT), default_description(EVENT))
NO_ORG = replace(EVENT, external_org_id=None)


@pytest.mark.parametrize(
    ("event", "organization", "title_template", "description_template", "expected"),
    [
        P(
            EVENT,
            "Acme",
            "{{severity}}: {{device}} ({{ organization }})",
            "{{message}}",
            ("major: SRV-01 (Acme)", "Disk C: is at 95% capacity"),
            id="both-templates",
        ),
        P(EVENT, None, "Org {{organization}}", None, ("Org 500", DEFAULTS[1]), id="org-ext-id"),
        P(EVENT, None, None, None, DEFAULTS, id="no-templates"),
        P(EVENT, None, "", "", DEFAULTS, id="empty-templates"),
        P(EVENT, None, "Disk on {{device}}", None, ("Disk on SRV-01", DEFAULTS[1]), id="title"),
        P(EVENT, None, None, "See {{ Device }}", (DEFAULTS[0], "See SRV-01"), id="description"),
        P(EVENT, None, "  {{message}} ", None, (EVENT.message, DEFAULTS[1]), id="title-stripped"),
        P(EVENT, None, "   ", None, DEFAULTS, id="blank-title-uses-default"),
        P(NO_ORG, None, "{{organization}}", None, DEFAULTS, id="title-renders-empty"),
    ],
)
def test_ticket_text(
    event: AlertEvent,
    organization: str | None,
    title_template: str | None,
    description_template: str | None,
    expected: tuple[str, str],
) -> None:
    assert ticket_text(event, organization, title_template, description_template) == expected


def test_ticket_title_is_capped_at_500_characters() -> None:
    title, _ = ticket_text(EVENT, None, "x" * 600, None)
    assert title == "x" * 500
