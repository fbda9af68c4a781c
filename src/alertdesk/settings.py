"""Runtime configuration: one Settings object read from ALERTDESK_* environment variables."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


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
