"""`parcellocker serve`: the management server (API at /api/v1, docs at /docs)."""

from __future__ import annotations

from typing import Annotated

import typer


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default from settings).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (default from settings).")] = None,
    workers: Annotated[int | None, typer.Option(help="Server processes (default from settings).")] = None,
    upgrade_db: Annotated[bool, typer.Option("--upgrade-db/--no-upgrade-db", help="Migrate first.")] = True,
) -> None:
    """Run the management server (API at /api/v1, docs at /docs)."""
    import uvicorn

    from parcellocker.adapters.db import migrate
    from parcellocker.config import Settings
    from parcellocker.logs import configure_logging
    from parcellocker.server_process import GRACEFUL_SHUTDOWN_SECONDS

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
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        access_log=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
