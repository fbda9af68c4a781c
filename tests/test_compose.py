"""docker-compose.yml (production: PostgreSQL, web, worker) is valid YAML whose commands exist in
the CLI with their options, whose ALERTDESK_* variables are real settings that parse, and whose
database URL points at the compose PostgreSQL service; the Dockerfile it builds exists."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import typer
import yaml
from typer.core import TyperGroup
from typer.testing import CliRunner

from alertdesk.cli import app
from alertdesk.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
ALERTDESK = ("web", "worker")
# ${VAR}, ${VAR:-default}, ${VAR:?error}, as compose interpolates them
VARIABLE = re.compile(r"\$\{(\w+)(?::?([-?])([^}]*))?\}")


def interpolated(value: object) -> str:
    """The value with every ${…} filled in: its default, else a sample `<name>-value`."""

    def fill(match: re.Match[str]) -> str:
        name, kind, rest = match.groups()
        return rest if kind == "-" else f"{name.lower()}-value"

    return VARIABLE.sub(fill, str(value))


def environment(service: str) -> dict[str, str]:
    env = SERVICES[service].get("environment") or {}
    assert isinstance(env, dict), f"{service}: use the mapping form of environment"
    return {str(k): interpolated(v) for k, v in env.items()}


def cli_command(name: str) -> Any:
    """The command `alertdesk <name>` as the CLI builds it (with its options in `params`)."""
    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)
    found = group.commands.get(name)
    assert found is not None, f"`alertdesk {name}` does not exist"
    return found


def test_three_services_postgres_web_and_worker() -> None:
    assert set(SERVICES) == {"postgres", "web", "worker"}
    for name in ALERTDESK:
        assert SERVICES[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert SERVICES[name]["build"] == "."
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim$", dockerfile, re.MULTILINE)
    assert "pip install ." in dockerfile


def test_postgres_keeps_its_data_in_a_named_volume() -> None:
    postgres = SERVICES["postgres"]
    assert postgres["image"].startswith("postgres:")
    volume, _, target = postgres["volumes"][0].partition(":")
    assert target == "/var/lib/postgresql/data"
    assert volume in COMPOSE["volumes"]
    assert "healthcheck" in postgres


@pytest.mark.parametrize("service", ALERTDESK)
def test_commands_and_their_options_exist_in_the_cli(service: str) -> None:
    program, name, *arguments = SERVICES[service]["command"]
    assert program == "alertdesk"
    command = cli_command(name)
    options = {o for p in command.params for o in (*p.opts, *p.secondary_opts)}
    given = [a for a in arguments if a.startswith("--")]
    assert given, f"{service}: no options"
    assert set(given) <= options, f"unknown options of `alertdesk {name}`: {set(given) - options}"
    answer = CliRunner().invoke(app, [name, "--help"])
    assert answer.exit_code == 0, answer.output


def test_the_web_service_runs_several_processes_and_the_worker_runs_the_jobs() -> None:
    assert SERVICES["web"]["command"][1] == "serve"
    assert SERVICES["worker"]["command"][1] == "worker"
    assert "8000:8000" in SERVICES["web"]["ports"]


@pytest.mark.parametrize("service", ALERTDESK)
def test_every_variable_is_a_real_setting_and_parses(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = environment(service)
    known = {f"ALERTDESK_{name.upper()}" for name in Settings.model_fields}
    assert set(env) <= known, f"not settings: {set(env) - known}"
    for name in known:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    assert settings.secret_key is not None  # every process must share one key
    if service == "web":
        assert (settings.serve_workers or 0) > 1  # several web processes, set explicitly
        assert settings.serve_worker is False  # the worker service runs the jobs


@pytest.mark.parametrize("service", ALERTDESK)
def test_the_database_url_points_at_the_compose_postgres(service: str) -> None:
    postgres = {k: interpolated(v) for k, v in SERVICES["postgres"]["environment"].items()}
    url = urlsplit(environment(service)["ALERTDESK_DATABASE_URL"])
    assert url.scheme == "postgresql"
    assert (url.hostname, url.port or 5432) == ("postgres", 5432)
    assert url.username == postgres["POSTGRES_USER"]
    assert url.password == postgres["POSTGRES_PASSWORD"]
    assert url.path == f"/{postgres['POSTGRES_DB']}"
