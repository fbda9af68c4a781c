"""Runtime configuration: one Settings object read from ALERTDESK_* environment variables."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated

from platformdirs import user_data_dir
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

AllowlistEntry = IPv4Network | IPv6Network | str
HOST_NAME = re.compile(r"[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*")


class Settings(BaseSettings):
    """Everything the service reads from its environment, built once at the edges."""

    model_config = SettingsConfigDict(env_prefix="ALERTDESK_", extra="ignore")

    database_url: str | None = None
    data_dir: Path = Field(default_factory=lambda: Path(user_data_dir("alertdesk")))
    secret_key: SecretStr | None = None
    base_url: str | None = None
    smtp_url: str | None = None
    email_from: str = "alertdesk@localhost"
    session_max_age_seconds: int = 12 * 3600
    secure_cookies: bool = False
    # webhook deliveries older than this are deleted (never those still to be retried)
    inbound_retention_days: int = Field(default=30, ge=1, le=3650)
    # `serve` also runs a job worker (turn off when `alertdesk worker` processes run apart)
    serve_worker: bool = True
    # web processes of `alertdesk serve`; unset: one per CPU with a PostgreSQL server, else 1
    serve_workers: int | None = Field(default=None, ge=1, le=64)
    # multi-tenant installs: vendor URLs may only reach public addresses, or these exceptions
    block_private_vendor_addresses: bool = False
    vendor_address_allowlist: Annotated[tuple[AllowlistEntry, ...], NoDecode] = ()

    def web_processes(self, requested: int | None = None, cpus: int | None = None) -> int:
        """How many web processes `serve` runs: as asked, else ALERTDESK_SERVE_WORKERS, else
        one per CPU — with a PostgreSQL server; the embedded database serves one process."""
        chosen = requested or self.serve_workers
        if chosen is not None:
            return chosen
        return min(64, cpus or os.cpu_count() or 1) if self.database_url else 1

    @field_validator("vendor_address_allowlist", mode="before")
    @classmethod
    def _allowlist(cls, value: object) -> object:
        """Comma-separated networks and host names; blank entries are skipped."""
        entries = value.split(",") if isinstance(value, str) else value
        if not isinstance(entries, list | tuple):
            return value
        return tuple(allowlist_entry(e) for e in entries if not isinstance(e, str) or e.strip())

    def resolved_secret_key(self) -> str:
        """The configured key, else one generated once into the data dir (mode 0600)."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            draft = path.with_name(f".secret_key.{os.getpid()}")
            fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(48))
            with contextlib.suppress(FileExistsError):  # another process won the race: use its key
                os.link(draft, path)
            draft.unlink()
        return path.read_text().strip()


def allowlist_entry(raw: object) -> AllowlistEntry:
    """A network (CIDR or one address) or a host name; anything else stops the start."""
    if isinstance(raw, IPv4Network | IPv6Network):
        return raw
    text = str(raw).strip()
    entry = text.lower().rstrip(".")
    with contextlib.suppress(ValueError):
        return ip_network(entry, strict=False)
    if HOST_NAME.fullmatch(entry) and not entry.rpartition(".")[2].isdigit():  # "10.1": a typo
        return entry
    raise ValueError(
        f"ALERTDESK_VENDOR_ADDRESS_ALLOWLIST: {text!r} is neither a network (CIDR),"
        " an address nor a host name"
    )
