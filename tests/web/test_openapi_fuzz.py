"""Schemathesis against the app's /openapi.json: no request makes the API answer 5xx.

Every operation (but the webhooks and the OAuth redirects, tested elsewhere) gets a bounded,
derandomized Hypothesis run of Schemathesis cases, schema-valid and schema-violating, sent
in-process to the real app on its own PostgreSQL database with a valid admin token. The
database is seeded once for the module (the endpoints commit): a client, an asset, a ticket,
a connected TacticalRMM integration with an alert, an alert rule and a maintenance window.
Ids the fuzzer generates as well-formed UUIDs are swapped for the seeded ones so requests
reach the services; DELETEs aim at spare rows. Half of the JSON bodies start from a valid
example instead, and two cases in three get one string or integer swapped for an edge value
of its kind that Schemathesis seldom or never makes (NUL, lone surrogates, years 1 and 9999
with ±14:00 offsets, integers past 64 bits). Only "not a server error" is checked; an
unhandled exception counts as one. bench/schemathesis_run.py runs the same cases longer and
lists every distinct 5xx instead of stopping at the first.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from sqlalchemy import create_engine

from alertdesk.app import create_app
from alertdesk.runtime import Runtime
from alertdesk.services.accounts.auth import issue_token
from alertdesk.services.accounts.tenants import create_tenant
from alertdesk.settings import Settings
from alertdesk.storage.database import Database
from alertdesk.storage.embedded import sqlalchemy_url
from alertdesk.storage.migrate import upgrade
from alertdesk.testing.fakes import FakeVendors
from tests.conftest import PASSWORD
from tests.web.api_helpers import Json, created, default_board, make_client, make_ticket
from tests.web.integration_helpers import API, NINJA, TACTICAL, connect, ticket_from_tactical

MAX_EXAMPLES = 40
TIME = re.compile(r"\d\d:\d\d")
EXCLUDED = ("/webhooks/", "/oauth/")
WINDOWS = "/api/v1/maintenance-windows"
# Top-level body and query fields that hold ids of the tenant's own rows.
ID_FIELDS = (
    "client_id",
    "asset_id",
    "board_id",
    "status_id",
    "priority_id",
    "category_id",
    "integration_id",
    "ticket_id",
    "assigned_to",
)
RULE: Json = {
    "name": "disks",
    "description": "disk alerts",
    "is_active": True,
    "conditions": {"severities": ["critical"], "keywords": ["disk"], "message_pattern": "C:.*full"},
    "actions": {
        "create_ticket": True,
        "board_id": "$board_id",
        "priority_override": "$priority_id",
        "assign_to_user_id": "$assigned_to",
        "title_template": "{{device}}: {{message}}",
        "auto_resolve_ticket": True,
        "auto_resolve_status_id": "$status_id",
        "notify_user_ids": ["$assigned_to"],
    },
}
WINDOW: Json = {
    "name": "patching",
    "is_active": True,
    "client_id": "$client_id",
    "starts_at": "2030-01-01T00:00:00+02:00",
    "ends_at": "2030-01-02T00:00:00Z",
}
WEEKLY: Json = {
    "name": "nightly",
    "asset_id": "$asset_id",
    "recurrence": {
        "type": "weekly",
        "days": [0, 6],
        "start_time": "22:00",
        "end_time": "06:00",
        "timezone": "Europe/Paris",
    },
}
# Valid bodies that half of the cases start from (then aimed and maybe given an edge value),
# so edge values also land where random bodies seldom get past validation.
EXAMPLES: dict[str, list[Json]] = {
    "POST /api/v1/clients": [{"name": "Globex"}],
    "POST /api/v1/assets": [
        {
            "client_id": "$client_id",
            "name": "PC-2",
            "serial_number": "SN-2",
            "external_refs": [{"provider": "ninjaone", "external_id": "dev-2"}],
        }
    ],
    "POST /api/v1/boards": [
        {
            "name": "Projects",
            "statuses": [{"name": "Open", "is_default": True}, {"name": "Done", "is_closed": True}],
        }
    ],
    "POST /api/v1/priorities": [{"name": "Urgent", "color": "#ff0000"}],
    "POST /api/v1/categories": [{"name": "Network", "description": "switches"}],
    "POST /api/v1/users": [
        {
            "email": "tech@example.com",
            "name": "Tech",
            "password": "a long password",
            "role": "technician",
        }
    ],
    "POST /api/v1/tickets": [
        {
            "title": "Printer jam",
            "description": "tray 2",
            "client_id": "$client_id",
            "board_id": "$board_id",
            "status_id": "$status_id",
            "priority_id": "$priority_id",
            "category_id": "$category_id",
            "assigned_to": "$assigned_to",
            "asset_ids": ["$asset_id"],
            "source_reference": "ref-1",
        }
    ],
    "PATCH /api/v1/tickets/{ticket_id}": [
        {
            "title": "Renamed",
            "status_id": "$status_id",
            "priority_id": "$priority_id",
            "assigned_to": "$assigned_to",
        }
    ],
    "POST /api/v1/tickets/{ticket_id}/comments": [{"body": "on it", "is_internal": True}],
    "POST /api/v1/tickets/{ticket_id}/time-entries": [{"minutes": 15, "note": "remote session"}],
    "POST /api/v1/tickets/{ticket_id}/close": [{"status_id": "$status_id"}],
    "POST /api/v1/tokens": [{"name": "ci", "expires_in_days": 30}],
    "PATCH /api/v1/integrations/{integration_id}": [
        {"settings": {"polling": {"enabled": True, "interval_minutes": 15}}}
    ],
    "PATCH /api/v1/integrations/{integration_id}/org-mappings/{mapping_id}": [
        {"client_id": "$client_id", "auto_create_tickets": True}
    ],
    "POST /api/v1/integrations/{integration_id}/alert-rules": [RULE],
    "PUT /api/v1/alert-rules/{rule_id}": [RULE],
    "POST /api/v1/integrations/{integration_id}/alert-rules/reorder": [{"rule_ids": ["$rule_id"]}],
    "POST /api/v1/maintenance-windows": [WINDOW, WEEKLY],
    "PUT /api/v1/maintenance-windows/{window_id}": [WINDOW, WEEKLY],
    "POST /api/v1/alerts/{alert_id}/create-ticket": [
        {"board_id": "$board_id", "priority_id": "$priority_id", "title_template": "{{message}}"}
    ],
}
EDGE_TEXT = (
    "\x00",
    "nul\x00inside",
    "",
    " ",
    "(",
    "../../etc/passwd",
    "\u202e\ufeff",
    "x" * 10_000,
)
EDGE_BODY_TEXT = ("\ud800", "lone \udfff surrogate")  # JSON escapes them; URLs cannot carry them
EDGE_DATETIMES = (
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59.999999Z",
    "2030-02-30T00:00:00Z",
)
EDGE_TIMES = ("24:00", "23:59:60", "00:00", "-01:00")
EDGE_INTEGERS = (2**63, -(2**63) - 1, 2**31, -(2**31) - 1, 10**40, 0, -1)
FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    phases=(Phase.explicit, Phase.generate, Phase.shrink),
    suppress_health_check=list(HealthCheck),
)


def _offline_openapi() -> Json:
    """The app's OpenAPI document, read at collection time from an app that never connects."""
    offline = Settings(database_url="postgresql://unused", data_dir=Path("."), secret_key="k" * 48)
    database = Database.from_url("postgresql://unused@127.0.0.1:1/none")
    with httpx.Client() as http:
        return create_app(Runtime.build(offline, database, http=http)).openapi()


OPENAPI = _offline_openapi()
SCHEMA = schemathesis.openapi.from_dict(OPENAPI)
OPERATIONS = [
    f"{method.upper()} {path}"
    for path, methods in OPENAPI["paths"].items()
    if not any(part in path for part in EXCLUDED)
    for method in methods
]


@dataclass
class FuzzTarget:
    app: FastAPI
    database: Database
    token: str
    ids: dict[str, str] = field(default_factory=dict)
    spare: dict[str, str] = field(default_factory=dict)  # what a DELETE may remove

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def aim(self, case: schemathesis.Case[Any]) -> None:
        """Point the case at seeded rows wherever it generated a well-formed UUID."""
        targets = self.spare if case.method.upper() == "DELETE" else self.ids
        path_parameters = case.path_parameters or {}
        for name, value in path_parameters.items():
            if name in targets and _is_uuid(value):
                path_parameters[name] = targets[name]
        for container in (case.query, case.body):
            if isinstance(container, dict):
                for name in ID_FIELDS:
                    if _is_uuid(container.get(name)):
                        container[name] = self.ids[name]


def _is_uuid(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


Slot = tuple[Any, Any, Any]  # (container, key or index, value)


def _slots(value: Any) -> Iterator[Slot]:
    """Every string or integer leaf of a JSON value, with where it sits."""
    items: Any = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in items:
        if isinstance(item, dict | list):
            yield from _slots(item)
        elif isinstance(item, str) or (isinstance(item, int) and not isinstance(item, bool)):
            yield value, key, item


def _edge_values(old: str | int, in_body: bool) -> tuple[str | int, ...]:
    """Edge values of the leaf's kind: dates for dates, times for times, integers for integers."""
    if isinstance(old, int):
        return EDGE_INTEGERS
    if TIME.fullmatch(old):
        return (*EDGE_TIMES, "\x00")
    try:
        datetime.fromisoformat(old)
    except ValueError:
        return EDGE_TEXT + (EDGE_BODY_TEXT if in_body else ())
    return (*EDGE_DATETIMES, "\x00")


def _edge(data: st.DataObject, case: schemathesis.Case[Any]) -> None:
    """Maybe swap one query or body leaf for an edge value of the same kind."""
    body = case.body if isinstance(case.body, dict | list) else []
    query = case.query if isinstance(case.query, dict) else {}
    slots = [(True, slot) for slot in _slots(body)] + [(False, slot) for slot in _slots(query)]
    if not slots or data.draw(st.integers(0, 2), label="edge") == 0:
        return
    in_body, (container, key, old) = slots[data.draw(st.integers(0, len(slots) - 1))]
    value = data.draw(st.sampled_from(_edge_values(old, in_body)), label=f"edge value for {key}")
    container[key] = value
    if value in EDGE_BODY_TEXT:
        # Sent as the JSON text (\ud800 escapes): Schemathesis re-checks an edited body against
        # the schema with a validator that cannot take lone surrogates.
        case.body = json.dumps(case.body).encode()


def _fill(value: Any, ids: dict[str, str]) -> Any:
    """A deep copy of an example with each "$name" replaced by the seeded id `name`."""
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, ids) for item in value]
    if isinstance(value, str) and value.startswith("$"):
        return ids[value[1:]]
    return value


def _seed(client: TestClient, headers: dict[str, str], admin_id: str) -> tuple[Json, Json]:
    """Create the rows the fuzzer aims at; answer (ids, spare ids for DELETE)."""
    acme = make_client(client, headers, "Acme Dental")  # auto-linked to Tactical client 3
    asset = created(
        client.post(
            "/api/v1/assets", json={"client_id": acme["id"], "name": "PC-1"}, headers=headers
        )
    )
    board = default_board(client, headers)
    priority = client.get("/api/v1/priorities", headers=headers).json()[0]
    category = created(client.post("/api/v1/categories", json={"name": "HW"}, headers=headers))
    ticket = make_ticket(client, headers, acme["id"])
    hook = connect(client, headers, TACTICAL)
    delivered = ticket_from_tactical(client, headers, hook)
    mappings = client.get(f"{API}/{hook['id']}/org-mappings", headers=headers).json()
    rules_url = f"{API}/{hook['id']}/alert-rules"
    rule = client.get(rules_url, headers=headers).json()[0]
    spare_rule = created(client.post(rules_url, json={"name": "spare"}, headers=headers))
    window = {
        "name": "patching",
        "starts_at": "2030-01-01T00:00:00Z",
        "ends_at": "2030-01-02T00:00:00Z",
    }
    kept = created(client.post(WINDOWS, json=window, headers=headers))
    spare_window = created(client.post(WINDOWS, json=window, headers=headers))
    spare_hook = connect(client, headers, NINJA)
    spare_token = created(client.post("/api/v1/tokens", json={"name": "spare"}, headers=headers))
    ids = {
        "client_id": acme["id"],
        "asset_id": asset["id"],
        "board_id": board["id"],
        "status_id": board["statuses"][0]["id"],
        "priority_id": priority["id"],
        "category_id": category["id"],
        "integration_id": hook["id"],
        "mapping_id": mappings[0]["id"],
        "ticket_id": ticket["id"],
        "alert_id": delivered["alert_id"],
        "rule_id": rule["id"],
        "window_id": kept["id"],
        "assigned_to": admin_id,
    }
    spare = {
        "integration_id": spare_hook["id"],
        "rule_id": spare_rule["id"],
        "window_id": spare_window["id"],
        "token_id": spare_token["id"],
    }
    return ids, spare


def build_target(url: str, data_dir: Path) -> FuzzTarget:
    """Migrate the database at `url`, create a tenant and its admin token, seed it through the
    API of an app on that database (vendors faked) and answer that app."""
    migrator = create_engine(sqlalchemy_url(url))
    upgrade(migrator)
    migrator.dispose()
    database = Database.from_url(url)
    suffix = uuid.uuid4().hex[:8]
    with database.transaction() as session:
        _tenant, admin = create_tenant(
            session, f"Fuzz MSP {suffix}", f"fuzz-{suffix}@example.com", PASSWORD
        )
        token = issue_token(session, admin, "fuzz", datetime.now(UTC)).secret
        admin_id = str(admin.id)
    settings_ = Settings(database_url="postgresql://unused", data_dir=data_dir, secret_key="k" * 48)
    app = create_app(Runtime.build(settings_, database, http=FakeVendors().client()))
    with TestClient(app) as client:
        ids, spare = _seed(client, {"Authorization": f"Bearer {token}"}, admin_id)
    return FuzzTarget(app, database, token, ids, spare)


def cases(label: str) -> st.SearchStrategy[schemathesis.Case[Any]]:
    """Schema-valid and schema-violating cases for the operation `label` ("GET /path")."""
    method, path = label.split(" ", 1)
    operation = SCHEMA[path][method]
    positive = operation.as_strategy(GenerationMode.POSITIVE)
    return positive | operation.as_strategy(GenerationMode.NEGATIVE)


def prepare(case: schemathesis.Case[Any], data: st.DataObject, target: FuzzTarget) -> None:
    """Maybe start from a valid example body, aim the case at the seeded rows, then maybe
    swap one value for an edge value."""
    examples = EXAMPLES.get(f"{case.method.upper()} {case.path}")
    if (
        examples
        and case.media_type == "application/json"
        and data.draw(st.booleans(), label="example")
    ):
        case.body = _fill(data.draw(st.sampled_from(examples), label="example body"), target.ids)
    target.aim(case)
    _edge(data, case)


@pytest.fixture(scope="module")
def fuzz_target(
    make_database: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FuzzTarget]:
    """The real app on its own migrated database, with a seeded tenant and an admin token."""
    target = build_target(make_database(), tmp_path_factory.mktemp("fuzz"))
    yield target
    target.database.dispose()


def test_the_fuzzed_app_is_seeded_and_the_token_works(fuzz_target: FuzzTarget) -> None:
    """The seed works, so the fuzz cases reach the services rather than stopping at 404s."""
    with TestClient(fuzz_target.app) as client:
        ticket = client.get(
            f"/api/v1/tickets/{fuzz_target.ids['ticket_id']}", headers=fuzz_target.headers
        )
    assert ticket.status_code == 200, ticket.text


@pytest.mark.parametrize("label", OPERATIONS)
def test_no_request_makes_the_api_answer_5xx(label: str, fuzz_target: FuzzTarget) -> None:
    @FUZZ_SETTINGS
    @given(case=cases(label), data=st.data())
    def fuzz(case: schemathesis.Case[Any], data: st.DataObject) -> None:
        prepare(case, data, fuzz_target)
        case.call_and_validate(
            headers=fuzz_target.headers, app=fuzz_target.app, checks=[not_a_server_error]
        )

    fuzz()
