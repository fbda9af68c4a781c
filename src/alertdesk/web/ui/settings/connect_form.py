"""A provider's connect form, generated from its spec: the instance address, one input per field
of its credentials model (a SecretStr is a password), and the sign-in choice if it has OAuth."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, get_args

from fastapi import Request
from pydantic import SecretStr
from pydantic.fields import FieldInfo

from alertdesk.errors import InvalidField
from alertdesk.providers.spec import ProviderSpec

ACRONYMS = {"api": "API", "id": "ID", "url": "URL", "uid": "UID"}


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    input_type: str = "text"  # "text" or "password"; ignored when there are choices
    required: bool = True
    help: str | None = None
    placeholder: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # (value, text): a select
    value: str = ""  # what was sent, shown again (never a secret)
    error: str | None = None


@dataclass(frozen=True)
class ConnectForm:
    spec: ProviderSpec
    fields: list[FormField]


def _label(name: str, info: FieldInfo) -> str:
    if info.title:
        return info.title
    words = [ACRONYMS.get(word, word) for word in name.split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _is_secret(info: FieldInfo) -> bool:
    return info.annotation is SecretStr or SecretStr in get_args(info.annotation)


def credential_fields(spec: ProviderSpec) -> dict[str, FieldInfo]:
    """The credentials an admin types in (a flow may set others, marked NOT_IN_FORM)."""
    return {
        name: info
        for name, info in spec.credentials.model_fields.items()
        if not (
            isinstance(info.json_schema_extra, dict)
            and info.json_schema_extra.get("connect_form") is False
        )
    }


def _credential(name: str, info: FieldInfo) -> FormField:
    secret = _is_secret(info)
    return FormField(
        name=name,
        label=_label(name, info),
        input_type="password" if secret else "text",
        required=info.is_required(),
        help=info.description,
    )


def _instance(spec: ProviderSpec) -> FormField:
    hints = spec.connect
    return FormField(
        name="instance_url",
        label=hints.instance_label,
        placeholder="" if hints.instance_choices else hints.instance_placeholder,
        choices=tuple((host, host) for host in hints.instance_choices),
        value=hints.instance_default,
    )


def _sign_in(spec: ProviderSpec) -> list[FormField]:
    if spec.oauth is None:
        return []
    choices = (("client_credentials", spec.oauth.direct_choice), ("oauth", spec.oauth.oauth_choice))
    return [FormField(name="authorization", label="Sign-in", choices=choices)]


def connect_form(
    spec: ProviderSpec,
    sent: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
) -> ConnectForm:
    """The form, with what was `sent` filled in again (secrets excepted) and `errors` by field."""
    sent, errors = sent or {}, errors or {}
    credentials = [_credential(name, info) for name, info in credential_fields(spec).items()]
    fields = [_instance(spec), *credentials, *_sign_in(spec)]
    return ConnectForm(
        spec,
        [
            _refill(field, sent.get(field.name, field.value), errors.get(field.name))
            for field in fields
        ],
    )


def _refill(field: FormField, value: str, error: str | None) -> FormField:
    kept = "" if field.input_type == "password" else value
    return replace(field, value=kept, error=error)


def sent_values(
    spec: ProviderSpec, sent: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The credentials and settings of a posted form (an empty input counts as not given)."""
    credentials = {name: sent[name] for name in credential_fields(spec) if sent.get(name)}
    settings = (
        {"authorization": sent["authorization"]} if spec.oauth and sent.get("authorization") else {}
    )
    return credentials, settings


def field_of(exc: InvalidField, form: ConnectForm) -> str | None:
    """The form field an error is about ("credentials.api_key" → "api_key"), if it has one."""
    name = (
        exc.field.split(".", 1)[-1]
        if exc.field.startswith(("credentials.", "settings."))
        else exc.field
    )
    return name if any(field.name == name for field in form.fields) else None


async def posted(request: Request) -> dict[str, str]:
    """A form post's text fields (its inputs depend on the provider, so they are read here)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}
