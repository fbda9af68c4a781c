"""Hostile REST and UI input: NUL characters, lone surrogates, huge numbers and extreme dates
get a 4xx that names the field — never a 500 — and nothing stored breaks a later read."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from alertdesk.web import error_handlers
from alertdesk.web.input_guard import text_problem
from alertdesk.web.outage import OutageLog
from tests.conftest import TenantCtx
from tests.web.api_helpers import assert_invalid, make_client, make_ticket
from tests.web.ui_support import csrf_from
from tests.web.webhook_support import connect_tactical

Json = dict[str, Any]
UNSTORABLE = ["\x00", "a\x00b", "\ud800", "x\udfffy", "\udbff\udc00\ud800"]


def post_raw(client: TestClient, path: str, body: Json, headers: dict[str, str]) -> Any:
    """JSON with ASCII escapes: lone surrogates travel as `\\udxxx`, as a hostile client sends."""
    data = json.dumps(body, ensure_ascii=True).encode()
    return client.post(path, content=data, headers={**headers, "Content-Type": "application/json"})


@pytest.mark.parametrize("bad", UNSTORABLE)
@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/clients", {"name": "{bad}"}, "name"),
        ("/api/v1/priorities", {"name": "{bad}"}, "name"),
        ("/api/v1/categories", {"name": "ok", "description": "{bad}"}, "description"),
        ("/api/v1/users", {"email": "a@b.c", "password": "{bad}" * 9, "name": "x"}, "password"),
        ("/api/v1/tokens", {"name": "{bad}"}, "name"),
        ("/api/v1/maintenance-windows", {"name": "{bad}"}, "name"),
        ("/api/v1/integrations", {"provider": "tacticalrmm", "instance_url": "https://t.test",
                                  "credentials": {"api_key": "{bad}"}}, "api_key"),
        ("/api/v1/integrations", {"provider": "x", "instance_url": "https://t.test",
                                  "credentials": {"{bad}": "k"}}, "credentials"),
    ],
)  # fmt: skip
def test_unstorable_text_in_any_body_field_is_a_422_naming_it(
    client: TestClient, tenant: TenantCtx, path: str, body: Json, field: str, bad: str
) -> None:
    response = post_raw(client, path, _replace(body, "{bad}", bad), tenant.headers)
    assert_invalid(response, field)


def _replace(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, list):
        return [_replace(v, old, new) for v in value]
    if isinstance(value, dict):
        return {_replace(k, old, new): _replace(v, old, new) for k, v in value.items()}
    return value


def test_unstorable_text_in_nested_rule_conditions_is_a_422(
    client: TestClient, tenant: TenantCtx
) -> None:
    integration = connect_tactical(client, tenant.headers)
    body = {"name": "r", "conditions": {"keywords": ["disk", "\ud800"]}}
    url = f"/api/v1/integrations/{integration.id}/alert-rules"
    response = post_raw(client, url, body, tenant.headers)
    assert_invalid(response, "keywords")


@pytest.mark.parametrize("bad", ["\x00", "a\x00"])
def test_unstorable_text_in_ticket_work_is_a_422(
    client: TestClient, tenant: TenantCtx, bad: str
) -> None:
    acme = make_client(client, tenant.headers)
    ticket = make_ticket(client, tenant.headers, acme["id"])
    url = f"/api/v1/tickets/{ticket['id']}"
    assert_invalid(client.patch(url, json={"title": bad}, headers=tenant.headers), "title")
    comment = client.post(f"{url}/comments", json={"body": bad}, headers=tenant.headers)
    assert_invalid(comment, "body")
    assert client.get(url, headers=tenant.headers).status_code == 200


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/v1/tickets", {"source": "\x00"}, "source"),
        ("/api/v1/tickets", {"q": "disk\x00"}, "q"),
        ("/api/v1/alerts", {"status": "active\x00"}, "status"),
        ("/api/v1/events", {"type": "\x00"}, "type"),
        ("/api/v1/tickets", {"offset": "9223372036854775808"}, "offset"),
        ("/api/v1/tickets", {"offset": "1000001"}, "offset"),
        ("/api/v1/alerts", {"offset": "9223372036854775808"}, "offset"),
        ("/api/v1/alerts", {"limit": "99999999999999999999"}, "limit"),
    ],
)
def test_hostile_query_parameters_are_a_422_naming_them(
    client: TestClient, tenant: TenantCtx, path: str, params: dict[str, str], field: str
) -> None:
    assert_invalid(client.get(path, params=params, headers=tenant.headers), field)


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "field"),
    [
        ("0001-01-01T00:00:00+05:00", "2026-01-01T00:00:00Z", "starts_at"),
        ("2026-01-01T00:00:00Z", "9999-12-31T23:59:59-05:00", "ends_at"),
        ("1999-12-31T23:59:59Z", "2026-01-01T00:00:00Z", "starts_at"),
        ("2026-01-01T00:00:00Z", "2100-01-01T00:00:00Z", "ends_at"),
    ],
)
def test_maintenance_window_dates_out_of_range_are_a_422(
    client: TestClient, tenant: TenantCtx, starts_at: str, ends_at: str, field: str
) -> None:
    body = {"name": "patching", "starts_at": starts_at, "ends_at": ends_at}
    response = client.post("/api/v1/maintenance-windows", json=body, headers=tenant.headers)
    assert_invalid(response, field)
    assert client.get("/api/v1/maintenance-windows", headers=tenant.headers).status_code == 200


@pytest.mark.parametrize("email", ["admin\x00@example.com", "\x00"])
def test_the_ui_login_form_refuses_nul_with_a_4xx(client: TestClient, email: str) -> None:
    page = client.get("/ui/login")
    form = {"csrf_token": csrf_from(page.text), "email": email, "password": "x" * 12}
    response = client.post("/ui/login", data=form, follow_redirects=False)
    assert 400 <= response.status_code < 500, response.text


def test_a_database_data_error_anywhere_is_a_4xx_with_a_clear_message(engine: Engine) -> None:
    """The safety net behind the guards: a value PostgreSQL refuses is never a bare 500."""
    app = FastAPI()
    app.state.outage = OutageLog()
    error_handlers.install(app)

    @app.get("/cast")
    def cast(value: str) -> None:
        with engine.connect() as conn:
            conn.execute(text("select cast(:v as integer)"), {"v": value})

    with TestClient(app) as client:
        response = client.get("/cast", params={"value": "99999999999"})
    assert response.status_code == 422
    [detail] = response.json()["detail"]
    assert detail["msg"].startswith("A value could not be stored: ")
    assert "out of range" in detail["msg"]
    assert "Traceback" not in response.text


HOSTILE: st.SearchStrategy[Any] = st.one_of(
    st.text(max_size=30),
    st.builds(
        lambda a, bad, b: a + bad + b,
        st.text(max_size=10),
        st.sampled_from([*UNSTORABLE, "\ufeff", "\u202e", "%00", "\\u0000", "' or 1=1 --"]),
        st.text(max_size=10),
    ),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", None, [], {}]),
)
Maker = Callable[[TestClient, TenantCtx], tuple[str, Json]]


def _new_client_id(client: TestClient, tenant: TenantCtx) -> str:
    found: str = make_client(client, tenant.headers, f"Client {uuid.uuid4().hex}")["id"]
    return found


def _ticket_comment(client: TestClient, tenant: TenantCtx) -> tuple[str, Json]:
    ticket = make_ticket(client, tenant.headers, _new_client_id(client, tenant))
    return f"/api/v1/tickets/{ticket['id']}/comments", {"body": "ok", "is_internal": True}


def _ticket(client: TestClient, tenant: TenantCtx) -> tuple[str, Json]:
    return "/api/v1/tickets", {"title": "t", "client_id": _new_client_id(client, tenant)}


def _window(client: TestClient, tenant: TenantCtx) -> tuple[str, Json]:
    return "/api/v1/maintenance-windows", {
        "name": "w",
        "starts_at": "2026-01-01T00:00:00Z",
        "ends_at": "2026-01-02T00:00:00Z",
    }


def _fixed(path: str, body: Json) -> Maker:
    return lambda client, tenant: (path, body)


TARGETS: dict[str, Maker] = {
    "client": _fixed("/api/v1/clients", {"name": "Acme"}),
    "category": _fixed("/api/v1/categories", {"name": "c", "description": "d"}),
    "board": _fixed("/api/v1/boards", {"name": "b", "statuses": [{"name": "New"},
                                                                 {"name": "Done"}]}),
    "ticket": _ticket,
    "comment": _ticket_comment,
    "window": _window,
}  # fmt: skip


@pytest.mark.parametrize("target", sorted(TARGETS))
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_value_in_any_field_is_never_a_5xx_and_reads_still_work(
    client: TestClient, tenant: TenantCtx, target: str, data: st.DataObject
) -> None:
    path, body = TARGETS[target](client, tenant)
    field = data.draw(st.sampled_from(sorted(body)), label="field")
    value = data.draw(HOSTILE, label="value")
    response = post_raw(client, path, {**body, field: value}, tenant.headers)
    assert response.status_code < 500, response.text
    if isinstance(value, str) and text_problem(value) is not None:
        assert response.status_code == 422, response.text
    listing = path.rsplit("/", 1)[0] if target == "comment" else path
    assert client.get(listing, headers=tenant.headers).status_code == 200
