"""Settings come from ALERTDESK_* variables; the secret key is generated once when unset."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from alertdesk.settings import Settings


def test_reads_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ALERTDESK_DATABASE_URL", "postgresql://db/alertdesk")
    monkeypatch.setenv("ALERTDESK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ALERTDESK_SECRET_KEY", "from-env")
    settings = Settings()
    assert settings.database_url == "postgresql://db/alertdesk"
    assert settings.data_dir == tmp_path
    assert settings.resolved_secret_key() == "from-env"


def test_generates_a_private_key_once_and_keeps_it(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", secret_key=None)
    first = settings.resolved_secret_key()
    assert len(first) >= 48
    assert Settings(data_dir=tmp_path / "data", secret_key=None).resolved_secret_key() == first
    mode = stat.S_IMODE((tmp_path / "data" / "secret_key").stat().st_mode)
    assert mode == 0o600
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["secret_key"]


@pytest.mark.parametrize(("value", "days"), [(None, 30), ("7", 7), ("3650", 3650)])
def test_inbound_retention_days(
    monkeypatch: pytest.MonkeyPatch, value: str | None, days: int
) -> None:
    monkeypatch.delenv("ALERTDESK_INBOUND_RETENTION_DAYS", raising=False)
    if value is not None:
        monkeypatch.setenv("ALERTDESK_INBOUND_RETENTION_DAYS", value)
    assert Settings().inbound_retention_days == days


@pytest.mark.parametrize("value", ["0", "3651", "soon"])
def test_inbound_retention_days_out_of_range(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("ALERTDESK_INBOUND_RETENTION_DAYS", value)
    with pytest.raises(ValidationError, match="inbound_retention_days"):
        Settings()


@pytest.mark.parametrize(
    ("database_url", "configured", "requested", "expected"),
    [
        (None, None, None, 1),  # the embedded database serves one process
        ("postgresql://db/alertdesk", None, None, 4),  # one per CPU
        ("postgresql://db/alertdesk", 2, None, 2),  # ALERTDESK_SERVE_WORKERS
        ("postgresql://db/alertdesk", 2, 3, 3),  # --workers wins
        (None, None, 3, 3),  # asked for: serve then explains what is missing
    ],
)
def test_web_processes(
    tmp_path: Path,
    database_url: str | None,
    configured: int | None,
    requested: int | None,
    expected: int,
) -> None:
    settings = Settings(data_dir=tmp_path, database_url=database_url, serve_workers=configured)
    assert settings.web_processes(requested, cpus=4) == expected
