"""The workflow editor's form: a trigger, the filter, and numbered steps whose inputs are the
chosen action's fields (typed or `{{event.…}}`) — read into the same `WorkflowIn` as the API."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from alertdesk.services.workflows.definitions import MAX_STEPS, WorkflowIn
from alertdesk.storage.models import Workflow

TRIGGERS = {
    "RMM_ALERT_TRIGGERED": "An alert fires",
    "RMM_ALERT_RESOLVED": "An alert resolves",
    "TICKET_CREATED": "A ticket is opened",
    "TICKET_CLOSED": "A ticket is closed",
}
_SPLIT = re.compile(r"[,\n]")


@dataclass(frozen=True)
class StepField:
    name: str
    label: str
    kind: str = "text"  # text, textarea, bool, board, priority, user, users
    placeholder: str = ""
    help: str = ""


ACTION_LABELS = {
    "rmm.alerts.create_ticket": "Open a ticket for the alert",
    "tickets.add_comment": "Comment on a ticket",
    "notifications.notify_users": "Notify people",
    "http.post": "Send the event to a web address (signed POST)",
}
FIELDS: dict[str, tuple[StepField, ...]] = {
    "rmm.alerts.create_ticket": (
        StepField("alert_id", "Alert", placeholder="{{event.alert_id}}"),
        StepField("board_id", "Board", "board"),
        StepField("priority_id", "Priority", "priority"),
        StepField("assign_to_user_id", "Assign to", "user"),
        StepField("title_template", "Title", placeholder="Default: what is wrong, and where",
                  help="Placeholders: {{device}} {{message}} {{severity}} {{organization}}"),
    ),
    "tickets.add_comment": (
        StepField("ticket_id", "Ticket", placeholder="{{event.ticket_id}}"),
        StepField("body", "Comment", "textarea", help="Use {{event.number}}, {{event.message}}…"),
        StepField("is_internal", "Internal note (not visible to the client)", "bool"),
    ),
    "notifications.notify_users": (
        StepField("user_ids", "Who", "users"),
        StepField("title", "Title", placeholder="Ticket {{event.number}} opened"),
        StepField("body", "Message", "textarea"),
    ),
    "http.post": (
        StepField("url", "Web address", placeholder="https://hooks.example.com/alertdesk"),
        StepField("secret", "Signing secret", help="The receiver checks the "
                  "X-Alertdesk-Signature header: sha256=HMAC-SHA256 of the body with it. "
                  "The body is the event as JSON."),
    ),
}  # fmt: skip
DEFAULTS = {"alert_id": "{{event.alert_id}}", "ticket_id": "{{event.ticket_id}}",
            "is_internal": True}  # fmt: skip


class WorkflowFormInvalid(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass
class StepForm:
    action: str = ""
    inputs: dict[str, Any] = field(default_factory=dict)


@dataclass
class WorkflowForm:
    name: str = ""
    is_active: bool = True
    trigger: str = "RMM_ALERT_TRIGGERED"
    severities: list[str] = field(default_factory=list)
    providers: list[str] = field(default_factory=list)
    keywords: str = ""
    alert_classes: str = ""
    message_pattern: str = ""
    steps: list[StepForm] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def blank(cls) -> WorkflowForm:
        return cls(steps=[StepForm()])

    @classmethod
    def of_workflow(cls, workflow: Workflow) -> WorkflowForm:
        f = workflow.filter
        return cls(
            name=workflow.name,
            is_active=workflow.is_active,
            trigger=workflow.trigger,
            severities=list(f.get("severities") or []),
            providers=list(f.get("providers") or []),
            keywords="\n".join(f.get("keywords") or []),
            alert_classes=", ".join(f.get("alert_classes") or []),
            message_pattern=str(f.get("message_pattern") or ""),
            steps=[
                StepForm(str(s.get("action")), dict(s.get("inputs") or {})) for s in workflow.steps
            ],
        )

    @classmethod
    def posted(cls, data: FormData) -> WorkflowForm:
        text = {k: v.strip() for k, v in data.items() if isinstance(v, str)}
        form = cls(
            name=text.get("name", ""),
            is_active="is_active" in text,
            trigger=text.get("trigger", ""),
            severities=[v for v in data.getlist("severities") if isinstance(v, str)],
            providers=[v for v in data.getlist("providers") if isinstance(v, str)],
            keywords=text.get("keywords", ""),
            alert_classes=text.get("alert_classes", ""),
            message_pattern=text.get("message_pattern", ""),
        )
        for index in range(MAX_STEPS + 1):
            action = text.get(f"step-{index}-action", "")
            if action:
                form.steps.append(StepForm(action, _inputs(data, text, index, action)))
        return form

    def to_input(self) -> WorkflowIn:
        body = {
            "name": self.name, "is_active": self.is_active, "trigger": self.trigger,
            "filter": self._filter(),
            "steps": [{"action": s.action, "inputs": s.inputs} for s in self.steps],
        }  # fmt: skip
        try:
            return WorkflowIn.model_validate(body)
        except ValidationError as exc:
            raise WorkflowFormInvalid(_errors(exc)) from exc

    def _filter(self) -> dict[str, Any]:
        found = {
            "severities": self.severities, "providers": self.providers,
            "keywords": _items(self.keywords), "alert_classes": _items(self.alert_classes),
            "message_pattern": self.message_pattern,
        }  # fmt: skip
        return {k: v for k, v in found.items() if v}


def _inputs(data: FormData, text: dict[str, str], index: int, action: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for spec in FIELDS.get(action, ()):
        key = f"step-{index}-{spec.name}"
        if spec.kind == "bool":
            found[spec.name] = key in text
        elif spec.kind == "users":
            found[spec.name] = [v for v in data.getlist(key) if isinstance(v, str) and v]
        elif text.get(key):
            found[spec.name] = text[key]
    return found


def _items(value: str) -> list[str]:
    return [item.strip() for item in _SPLIT.split(value) if item.strip()]


def _errors(exc: ValidationError) -> dict[str, str]:
    found: dict[str, str] = {}
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        if loc[:1] == ["steps"] and len(loc) > 1 and loc[1].isdigit():
            key = f"step-{loc[1]}"
        elif loc[:1] == ["steps"]:
            key = "steps"
        else:
            key = loc[0] if loc else "name"
        message = error["msg"].removeprefix("Value error, ")
        if key == "steps" and error["type"] == "too_short":
            message = "Add at least one step."
        found.setdefault(key, message[:1].upper() + message[1:])
    return found
