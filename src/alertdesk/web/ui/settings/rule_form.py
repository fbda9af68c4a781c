"""The alert-rule editor's form: stored rule ↔ form values ↔ validated rule input, with each
validation error kept at the field it belongs to (the same models as the API)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from alertdesk.core.rules import RuleActions, RuleConditions
from alertdesk.services.alerts.rules import RuleInput
from alertdesk.storage.models import AlertRule

LIST_FIELDS = ("activity_types", "alert_classes", "source_types", "keywords")
CHOICE_FIELDS = ("severities", "organization_ids", "notify_user_ids")
ID_FIELDS = ("board_id", "priority_override", "assign_to_user_id", "auto_resolve_status_id")
TEMPLATES = ("title_template", "description_template")
TEXT_FIELDS = ("name", "description", "message_pattern", *LIST_FIELDS, *TEMPLATES, *ID_FIELDS)
FLAGS = ("is_active", "create_ticket", "auto_resolve_ticket", "reset_alert_on_ticket_close")
_SPLIT = re.compile(r"[,\n]")
PLACEHOLDERS = {  # what each template placeholder becomes (core.templates.placeholder_values)
    "device": "the device name",
    "message": "the alert message",
    "severity": "critical, major, moderate, minor or none",
    "organization": "the vendor organization's name",
}


class RuleFormInvalid(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass
class RuleForm:
    name: str = ""
    description: str = ""
    is_active: bool = True
    severities: list[str] = field(default_factory=list)
    activity_types: str = ""  # comma- or line-separated in the form
    alert_classes: str = ""
    source_types: str = ""
    organization_ids: list[str] = field(default_factory=list)
    keywords: str = ""
    message_pattern: str = ""
    create_ticket: bool = True
    board_id: str = ""
    priority_override: str = ""
    assign_to_user_id: str = ""
    title_template: str = ""
    description_template: str = ""
    auto_resolve_ticket: bool = False
    auto_resolve_status_id: str = ""
    reset_alert_on_ticket_close: bool = True
    notify_user_ids: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of_rule(cls, rule: AlertRule) -> RuleForm:
        stored: dict[str, Any] = {**rule.conditions, **rule.actions}
        form = cls(name=rule.name, description=rule.description, is_active=rule.is_active)
        for key in LIST_FIELDS:
            setattr(form, key, ", ".join(stored.get(key) or []))
        form.keywords = "\n".join(stored.get("keywords") or [])
        for key in CHOICE_FIELDS:
            setattr(form, key, [str(v) for v in stored.get(key) or []])
        for key in ("message_pattern", *TEMPLATES, *ID_FIELDS):
            setattr(form, key, str(stored.get(key) or ""))
        for key in FLAGS[1:]:
            setattr(form, key, bool(stored.get(key, getattr(form, key))))
        return form

    @classmethod
    def posted(cls, data: FormData) -> RuleForm:
        """What the browser sent: unchecked boxes are absent, so absent means off."""
        text = {k: v for k, v in data.items() if isinstance(v, str)}
        form = cls()
        for key in TEXT_FIELDS:
            setattr(form, key, text.get(key, ""))
        for key in CHOICE_FIELDS:
            setattr(form, key, [v for v in data.getlist(key) if isinstance(v, str) and v])
        for key in FLAGS:
            setattr(form, key, key in text)
        return form

    def to_input(self) -> RuleInput:
        """The validated rule, or RuleFormInvalid naming each bad field."""
        errors: dict[str, str] = {}
        if not self.name.strip():
            errors["name"] = "Give the rule a name."
        conditions = _checked(RuleConditions, self._conditions(), errors)
        actions = _checked(RuleActions, self._actions(), errors)
        if errors or conditions is None or actions is None:
            raise RuleFormInvalid(errors)
        return RuleInput(self.name.strip()[:255], self.description, self.is_active, conditions,
                         actions)  # fmt: skip

    def _conditions(self) -> dict[str, Any]:
        found: dict[str, Any] = {k: _items(getattr(self, k)) for k in LIST_FIELDS}
        found |= {"severities": self.severities, "organization_ids": self.organization_ids}
        found["message_pattern"] = self.message_pattern.strip()
        return {k: v for k, v in found.items() if v}

    def _actions(self) -> dict[str, Any]:
        found: dict[str, Any] = {k: getattr(self, k) for k in FLAGS[1:]}
        found |= {k: getattr(self, k) or None for k in ID_FIELDS}
        found |= {k: getattr(self, k).strip() or None for k in TEMPLATES}
        found["notify_user_ids"] = self.notify_user_ids
        return found

    def values(self) -> dict[str, Any]:
        return asdict(self)


def _items(text: str) -> list[str]:
    return [item.strip() for item in _SPLIT.split(text) if item.strip()]


def _checked(model: Any, data: dict[str, Any], errors: dict[str, str]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            key = str(error["loc"][0]) if error["loc"] else "name"
            errors.setdefault(key, _message(key, error["msg"]))
        return None


def _message(key: str, msg: str) -> str:
    text = msg.removeprefix("Value error, ")
    if key.endswith("_id") or key in ("priority_override", "notify_user_ids"):
        return "Choose one from the list."
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def service_field(field_name: str) -> str:
    """The form field of a service error's field ("actions.board_id" → "board_id")."""
    return field_name.rsplit(".", 1)[-1]


def conditions_summary(conditions: Mapping[str, Any], org_names: Mapping[str, str]) -> str:
    """A rule's conditions in a line: "severity critical, major · message mentions disk"."""
    parts = []
    for key, label, joiner in _SUMMARY:
        values = conditions.get(key)
        if not values:
            continue
        if key == "organization_ids":
            values = [org_names.get(v, v) for v in values]
        if key == "message_pattern":
            values = [f"/{values}/"]
        parts.append(f"{label} {joiner.join(str(v) for v in values)}")
    return " · ".join(parts) or "every alert"


_SUMMARY = (
    ("severities", "severity", ", "),
    ("activity_types", "activity", ", "),
    ("alert_classes", "class", ", "),
    ("source_types", "source", ", "),
    ("organization_ids", "organization", ", "),
    ("keywords", "message mentions", " or "),
    ("message_pattern", "message matches", ""),
)
