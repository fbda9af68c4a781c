"""The `alertdesk` command line: init, serve, migrate, users, tokens, the webhook inbox."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from alertdesk.errors import AlertdeskError
from alertdesk.settings import Settings

if TYPE_CHECKING:
    from alertdesk.runtime import Runtime

# Commands import what they use when they run: `serve`'s supervisor process (several web
# processes) then stays small, and `--help` is quick.

app = typer.Typer(help="alertdesk: RMM and security alerts into tickets.", no_args_is_help=True)
users_app = typer.Typer(help="Manage users.", no_args_is_help=True)
tokens_app = typer.Typer(help="Manage API tokens.", no_args_is_help=True)
app.add_typer(users_app, name="users")
inbound_app = typer.Typer(help="The webhook inbox.", no_args_is_help=True)
app.add_typer(tokens_app, name="tokens")
app.add_typer(inbound_app, name="inbound")
err = Console(stderr=True)


@contextmanager
def runtime() -> Iterator[Runtime]:
    """The configured (or embedded) database, migrated, with the vendor client; closed on exit."""
    from alertdesk.runtime import Runtime

    built = Runtime.from_settings(Settings())
    try:
        yield built
    finally:
        built.close()


@contextmanager
def failing_cleanly() -> Iterator[None]:
    try:
        yield
    except AlertdeskError as exc:
        err.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(code=1) from exc


@app.command()
def migrate(
    distribute: Annotated[
        bool,
        typer.Option(
            "--distribute",
            help="On Citus: shard every table of a schema migrated before Citus was installed"
            " (one transaction that copies all data to the workers; run it in a quiet hour).",
        ),
    ] = False,
) -> None:
    """Apply database migrations (on Citus, new tables are distributed as they are created)."""
    from alertdesk.storage.migrate import awaiting_distribution
    from alertdesk.storage.migrate import distribute as distribute_schema

    with failing_cleanly(), runtime() as rt:
        engine = rt.database.engine
        if distribute:
            tables = distribute_schema(engine)
            typer.echo(f"distributed {len(tables)} tables" if tables else "already distributed")
        waiting = awaiting_distribution(engine)
        if waiting:
            err.print(
                f"[yellow]warning:[/yellow] citus is installed but {len(waiting)} tables are not"
                " distributed yet: run `alertdesk migrate --distribute`."
            )
        typer.echo("database is up to date")


@app.command()
def init(
    tenant: Annotated[str, typer.Option(help="Name of the tenant (your MSP)")],
    admin_email: Annotated[str, typer.Option(help="Email of the first admin")],
    admin_password: Annotated[str, typer.Option(help="Password of the first admin")],
) -> None:
    """Create a tenant with its admin and default board, statuses and priorities."""
    from alertdesk.services.accounts.auth import issue_token
    from alertdesk.services.accounts.tenants import create_tenant

    with failing_cleanly(), runtime() as rt, rt.database.transaction() as session:
        created, admin = create_tenant(session, tenant, admin_email, admin_password)
        issued = issue_token(session, admin, "created by alertdesk init", rt.now())
        typer.echo(f"tenant {created.name!r} created with admin {admin.email}")
        typer.echo("admin API token (shown once):")
        typer.echo(issued.secret)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    worker: Annotated[
        bool,
        typer.Option(
            "--worker/--no-worker",
            help="Also run a job worker (ALERTDESK_SERVE_WORKER; default on): a child process"
            " beside the web processes with a PostgreSQL server, inside the web process with"
            " the embedded database. Turn off when `alertdesk worker` processes do the jobs.",
        ),
    ] = True,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1, max=64,
            help="Web processes (ALERTDESK_SERVE_WORKERS; default: one per CPU with"
            " ALERTDESK_DATABASE_URL, else 1).",
        ),
    ] = None,
) -> None:  # fmt: skip
    """Run the web service (migrates the database first)."""
    import os

    import uvicorn

    from alertdesk.jobs.worker_process import worker_beside

    if not worker:
        os.environ["ALERTDESK_SERVE_WORKER"] = "false"
    settings = Settings()
    processes = settings.web_processes(workers)
    if processes > 1 and not settings.database_url:
        typer.echo(
            "Several web processes need a PostgreSQL server: set ALERTDESK_DATABASE_URL"
            " (the embedded database serves one process).",
            err=True,
        )
        raise typer.Exit(1)
    typer.echo(f"alertdesk listening on http://{host}:{port} (sign in at http://{host}:{port}/ui)")
    with worker_beside(settings):
        uvicorn.run("alertdesk.app:create_app_from_env", factory=True, host=host, port=port,
                    workers=processes)  # fmt: skip


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Port of the demo's web server")] = 8000,
    data_dir: Annotated[
        Path | None,
        typer.Option(help="Folder of the demo's own embedded database (default: a new one)"),
    ] = None,
    keep_serving: Annotated[
        bool,
        typer.Option("--serve/--exit", help="Keep the server running after the story (default)"),
    ] = True,
) -> None:
    """Try alertdesk without any vendor account: a demo tenant on its own embedded database,
    fake NinjaOne, TacticalRMM and Huntress APIs, a scenario replayed, then the UI to look at."""
    from alertdesk.demo.run import run_demo
    from alertdesk.demo.scenario import DemoFailed

    try:
        run_demo(Console(), port, data_dir, keep_serving)
    except DemoFailed as exc:
        err.print(f"[red]the demo stopped:[/red] {exc}")
        raise typer.Exit(code=1) from exc


@app.command("worker")
def worker_command(
    concurrency: Annotated[
        int, typer.Option(min=1, max=64, help="Jobs run at once by this process (threads)")
    ] = 1,
) -> None:
    """Run background jobs (event delivery, RMM resets, webhook retries, clean-up) until
    SIGTERM, which lets running jobs finish. Start as many as you like, on any machines."""
    import logging

    from alertdesk.jobs.worker import run_worker

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    with runtime() as rt:
        typer.echo(f"alertdesk worker running {concurrency} job(s) at a time")
        run_worker(rt, concurrency)


@app.command("jobs")
def jobs_command() -> None:
    """Show the job queue: jobs per task and status, jobs waiting for a retry, and the latest
    jobs that failed for good (their errors are in the worker's log)."""
    from rich.table import Table

    from alertdesk.jobs import inspect

    out = Console()
    with runtime() as rt, rt.database.transaction() as session:
        counts, retrying, failed = (
            inspect.counts(session),
            inspect.retrying(session),
            inspect.failed(session),
        )
    statuses = ("todo", "doing", "succeeded", "failed", "cancelled", "aborted")
    table = Table("task", *statuses, title="jobs")
    for task, by_status in counts.items():
        table.add_row(task, *(str(by_status.get(s, 0)) for s in statuses))
    out.print(table)
    for title, rows, when in (("retrying", retrying, "next try"), ("failed", failed, "failed")):
        listing = Table("id", "task", "arguments", "attempts", when, title=title)
        for row in rows:
            listing.add_row(str(row.id), row.task, row.args, str(row.attempts), str(row.at or ""))
        out.print(listing if rows else f"no {title} jobs")


@inbound_app.command("replay")
def inbound_replay(
    tenant: Annotated[str | None, typer.Option(help="Only this tenant")] = None,
) -> None:
    """Process again the webhook deliveries that failed (all tenants unless --tenant; on Citus
    that reads every shard)."""
    from alertdesk.runtime import run_in_transaction
    from alertdesk.services.accounts.tenants import find_tenant
    from alertdesk.services.integrations.deliveries import replay

    with failing_cleanly(), runtime() as rt:
        tenant_id = None
        if tenant is not None:
            found = run_in_transaction(rt.database, lambda s: find_tenant(s, tenant))
            if found is None:
                raise AlertdeskError(f"No tenant named {tenant!r}.")
            tenant_id = found.tenant
        result = replay(rt.database, tenant_id, None, rt.now())  # one transaction per delivery
        typer.echo(
            f"replayed {result.attempted} failed deliveries: {result.processed} processed, "
            f"{result.still_failing} still failing"
        )


@inbound_app.command("prune")
def inbound_prune() -> None:
    """Delete the webhook deliveries older than ALERTDESK_INBOUND_RETENTION_DAYS (default 30),
    except those still to be processed, in every tenant (on Citus: every shard)."""
    from alertdesk.services.integrations.deliveries import prune

    with runtime() as rt:
        days = rt.settings.inbound_retention_days
        removed = prune(rt.database, rt.now(), days)
    typer.echo(f"removed {removed} deliveries older than {days} days")


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Option()],
    password: Annotated[str, typer.Option()],
    tenant: Annotated[str, typer.Option(help="Tenant name")],
    name: Annotated[str, typer.Option()] = "",
    role: Annotated[str, typer.Option(help="admin or technician")] = "technician",
) -> None:
    """Add a user to a tenant."""
    from alertdesk.services.accounts.tenants import find_tenant
    from alertdesk.services.accounts.users import create_user

    with failing_cleanly(), runtime() as rt, rt.database.transaction() as session:
        found = find_tenant(session, tenant)
        if found is None:
            raise AlertdeskError(f"No tenant named {tenant!r}.")
        user = create_user(
            session, found.tenant, email=email, password=password, name=name, role=role
        )
        typer.echo(f"user {user.email} ({user.role}) created in {found.name!r}")


@tokens_app.command("create")
def tokens_create(
    email: Annotated[str, typer.Option(help="Email of the token's user")],
    name: Annotated[str, typer.Option(help="What the token is for")] = "cli",
    tenant: Annotated[str | None, typer.Option(help="Tenant, if the email is in several")] = None,
    expires_in_days: Annotated[int | None, typer.Option(min=1)] = None,
) -> None:
    """Print a new API token for a user (shown once)."""
    from alertdesk.services.accounts.auth import issue_token
    from alertdesk.services.accounts.directory import users_with_email

    with failing_cleanly(), runtime() as rt, rt.database.transaction() as session:
        users = users_with_email(session, email, tenant)
        if not users:
            raise AlertdeskError(f"No user with email {email}.")
        if len(users) > 1:
            raise AlertdeskError(f"{email} exists in several tenants: pass --tenant.")
        issued = issue_token(session, users[0], name, rt.now(), expires_in_days)
        typer.echo(issued.secret)
