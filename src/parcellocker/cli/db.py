"""Database schema commands."""

from __future__ import annotations

import typer

from parcellocker.adapters.db import migrate
from parcellocker.cli.console import console, error_console, run_or_exit
from parcellocker.config import Settings

db_app = typer.Typer(help="The database schema (Alembic migrations).", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade(revision: str = typer.Argument("head", help="Revision to upgrade to.")) -> None:
    """Create or upgrade the schema of the configured database."""
    settings = Settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    url = settings.effective_database_url
    migrate.upgrade(url, revision)
    console.print(f"database at {_without_password(url)} is at revision {migrate.current(url)}")


@db_app.command("check")
def check() -> None:
    """Read the whole database for parcels, compartments, transitions, messages and terminal events that cannot be
    right together; exit 1 if any is found. Safe on a live system (one read-only snapshot)."""
    from parcellocker.cli.db_check import check_database

    url = Settings().effective_database_url
    report = run_or_exit(check_database(url))
    counted = (
        f"{report.shipments} shipments, {report.compartments} compartments, {report.transitions} transitions, "
        f"{report.terminal_events} terminal events"
    )
    waiting = ", ".join(f"{count} {what}" for what, count in report.pending.items() if count)
    if report.inconsistencies:
        for inconsistency in report.inconsistencies:
            error_console.print(f"[bold red]inconsistent[/] {inconsistency}")
        error_console.print(f"{len(report.inconsistencies)} inconsistencies in {counted}")
        raise typer.Exit(1)
    console.print(f"database consistent: {counted}" + (f" (still to do: {waiting})" if waiting else ""))


def _without_password(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        credentials, _, host = rest.rpartition("@")
        return f"{scheme}{sep}{credentials.split(':')[0]}@{host}"
    return url
