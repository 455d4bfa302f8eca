"""`parcellocker`: serve, set up and check a parcel-locker site."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from parcellocker.adapters.db import migrate
from parcellocker.cli.admin import carrier_app, courier_app, locker_app, operator_app
from parcellocker.cli.audit import audit_app
from parcellocker.cli.bench import bench_app
from parcellocker.cli.db import db_app
from parcellocker.cli.demo import demo
from parcellocker.cli.terminal import terminal
from parcellocker.config import Settings
from parcellocker.logs import configure_logging

app = typer.Typer(
    help="parcellocker: the open-source parcel-locker platform.", no_args_is_help=True, pretty_exceptions_enable=False
)
app.add_typer(db_app, name="db")
app.add_typer(locker_app, name="locker")
app.add_typer(carrier_app, name="carrier")
app.add_typer(courier_app, name="courier")
app.add_typer(operator_app, name="operator")
app.add_typer(audit_app, name="audit")
app.add_typer(bench_app, name="bench")
app.command("demo")(demo)
app.command("terminal")(terminal)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default from settings).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (default from settings).")] = None,
    workers: Annotated[int | None, typer.Option(help="Server processes (default from settings).")] = None,
    upgrade_db: Annotated[bool, typer.Option("--upgrade-db/--no-upgrade-db", help="Migrate first.")] = True,
) -> None:
    """Run the management server (API at /api/v1, docs at /docs)."""
    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    if upgrade_db:
        migrate.upgrade(settings.effective_database_url)
    settings.server_keys()  # creates the local key once, before several workers could race for it
    uvicorn.run(
        "parcellocker.api.main:app_from_env",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
        log_config=None,
        access_log=False,
    )


if __name__ == "__main__":
    app()
