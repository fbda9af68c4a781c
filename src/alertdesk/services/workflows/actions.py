"""The actions a workflow step can take: one explicit registry, each with a pydantic input
model. Database actions run in the step's transaction; http.post calls out with none open."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from alertdesk.core.actors import SYSTEM
from alertdesk.errors import AlertdeskError, Conflict, InvalidField, NotFound
from alertdesk.services.alerts.service import ManualTicket, ticket_for_alert
from alertdesk.services.notifications.notify import Notice, notify
from alertdesk.services.notifications.preferences import WORKFLOWS
from alertdesk.services.tickets.work import add_comment

SIGNATURE_HEADER = "X-Alertdesk-Signature"
HTTP_ATTEMPTS = 3
HTTP_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


Db = Session | None  # the step's transaction; None for an action that calls out
Output = dict[str, Any]


class StepFailed(Exception):
    """A step could not do its work; its message is recorded on the run."""


class Inputs(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CreateTicketIn(Inputs):
    alert_id: uuid.UUID
    board_id: uuid.UUID | None = None
    priority_id: uuid.UUID | None = None
    assign_to_user_id: uuid.UUID | None = None
    title_template: str | None = Field(default=None, max_length=500)
    description_template: str | None = Field(default=None, max_length=10_000)


class AddCommentIn(Inputs):
    ticket_id: uuid.UUID
    body: str = Field(min_length=1, max_length=20_000)
    is_internal: bool = True


class NotifyUsersIn(Inputs):
    user_ids: list[uuid.UUID] = Field(min_length=1, max_length=100)
    title: str = Field(min_length=1, max_length=500)
    body: str = Field(default="", max_length=5_000)


class HttpPostIn(Inputs):
    url: AnyHttpUrl
    body: Any = None  # None: the event's payload
    secret: str = Field(min_length=1, max_length=500)


@dataclass(frozen=True)
class StepContext:
    tenant: uuid.UUID
    now: datetime
    http: httpx.Client
    sleep: Callable[[float], None] = time.sleep
    event: Mapping[str, Any] = field(default_factory=dict)  # the payload the run is for


@dataclass(frozen=True)
class Action:
    inputs: type[Inputs]
    run: Callable[[Db, StepContext, Any], Output]
    in_transaction: bool = True  # False: called with no transaction open (it calls out)


def create_ticket(
    session: Session | None, ctx: StepContext, inputs: CreateTicketIn
) -> dict[str, Any]:
    assert session is not None
    choice = ManualTicket(inputs.board_id, inputs.priority_id, inputs.assign_to_user_id,
                          inputs.title_template, inputs.description_template)  # fmt: skip
    try:
        made = ticket_for_alert(session, ctx.tenant, inputs.alert_id, choice, SYSTEM, ctx.now)
    except NotFound as exc:
        raise StepFailed("alert not found") from exc
    except Conflict as exc:
        raise StepFailed("already linked: the alert has a ticket") from exc
    except InvalidField as exc:
        raise StepFailed(_why_not(exc)) from exc
    return {"ticket_id": str(made.ticket.id), "number": made.ticket.number,
            "joined": made.joined}  # fmt: skip


def _why_not(exc: InvalidField) -> str:
    if "client" in exc.field or "client" in exc.message.lower():
        return f"no client: {exc.message}"
    if "board" in exc.field:
        return f"no board: {exc.message}"
    return exc.message


def comment(session: Db, ctx: StepContext, inputs: AddCommentIn) -> Output:
    assert session is not None
    try:
        made = add_comment(session, ctx.tenant, inputs.ticket_id, inputs.body,
                           is_internal=inputs.is_internal, actor=SYSTEM, now=ctx.now)  # fmt: skip
    except AlertdeskError as exc:
        raise StepFailed(exc.message) from exc
    return {"comment_id": str(made.id)}


def notify_users(
    session: Session | None, ctx: StepContext, inputs: NotifyUsersIn
) -> dict[str, Any]:
    assert session is not None
    notice = Notice(category=WORKFLOWS, title=inputs.title, body=inputs.body)
    sent = notify(session, ctx.tenant, inputs.user_ids, notice, ctx.now)
    return {"notified": [str(u) for u in sent.in_app]}


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def http_post(session: Db, ctx: StepContext, inputs: HttpPostIn) -> Output:
    """POST the body (else the event) as JSON, signed; retried on timeouts, 429 and 5xx."""
    content = inputs.body if inputs.body is not None else dict(ctx.event)
    body = json.dumps(content, separators=(",", ":"), ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signature(inputs.secret, body)}
    error = ""
    for attempt in range(HTTP_ATTEMPTS):
        if attempt:
            ctx.sleep(float(2 ** (attempt - 1)))
        try:
            response = ctx.http.post(str(inputs.url), content=body, headers=headers,
                                     timeout=HTTP_TIMEOUT)  # fmt: skip
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
            continue
        if response.is_success:
            return {"status": response.status_code}
        error = f"HTTP {response.status_code}"
        if response.status_code != 429 and response.status_code < 500:
            break  # the receiver refused this request: sending it again will not help
    raise StepFailed(f"http.post to {inputs.url.host} failed: {error}")


ACTIONS: dict[str, Action] = {
    "rmm.alerts.create_ticket": Action(CreateTicketIn, create_ticket),
    "tickets.add_comment": Action(AddCommentIn, comment),
    "notifications.notify_users": Action(NotifyUsersIn, notify_users),
    "http.post": Action(HttpPostIn, http_post, in_transaction=False),
}
