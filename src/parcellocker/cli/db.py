"""Database schema commands."""

from __future__ import annotations

import typer

from parcellocker.adapters.db import migrate
from parcellocker.cli.console import console
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


def _without_password(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        credentials, _, host = rest.rpartition("@")
        return f"{scheme}{sep}{credentials.split(':')[0]}@{host}"
    return url
