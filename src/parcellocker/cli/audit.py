"""Checking the audit log's hash chain."""

from __future__ import annotations

import typer

from parcellocker.bootstrap import bootstrap
from parcellocker.cli.console import console, error_console, run_or_exit
from parcellocker.config import Settings
from parcellocker.service.audit import AuditVerdict, VerifyAudit, verify_audit

audit_app = typer.Typer(help="The append-only audit log.", no_args_is_help=True)


@audit_app.command("verify")
def verify() -> None:
    """Check that every audit entry holds the hash of the one before; exit 1 if the chain is broken."""

    async def work() -> AuditVerdict:
        server = bootstrap(Settings())
        try:
            return await server.services.read(verify_audit, VerifyAudit())
        finally:
            await server.close()

    verdict = run_or_exit(work())
    if verdict.broken is not None:
        error_console.print(f"[bold red]audit log broken[/] at entry {verdict.broken.seq}: {verdict.broken.problem}")
        raise typer.Exit(1)
    console.print(f"audit log intact: {verdict.entries} entries, every one chained to the one before")
