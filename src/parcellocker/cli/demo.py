"""`parcellocker demo`: a complete locker site on this machine, and one parcel walked through it."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Annotated

import typer

from parcellocker.adapters.db import migrate
from parcellocker.bootstrap import bootstrap
from parcellocker.cli.console import console
from parcellocker.config import Settings
from parcellocker.sample_site import SampleSite, seed_sample_site
from parcellocker.server_process import ServerProcess
from parcellocker.walkthrough import walk_one_parcel


def demo(
    port: Annotated[int, typer.Option(help="Port of the server on 127.0.0.1.")] = 8000,
    var_dir: Annotated[Path, typer.Option(help="Folder of the demo's database, keys and mailbox.")] = Path("var/demo"),
    keep_running: Annotated[
        bool, typer.Option("--keep-running/--exit", help="Keep the site running after the walk-through.")
    ] = True,
) -> None:
    """Start the server on SQLite with a sample locker, carrier and courier, and walk one parcel through."""
    if var_dir.exists():
        shutil.rmtree(var_dir)  # every demo starts from an empty site
    var_dir.mkdir(parents=True)
    try:
        asyncio.run(_demo(port, var_dir, keep_running))
    except KeyboardInterrupt:
        console.print("demo stopped")


async def _demo(port: int, var_dir: Path, keep_running: bool) -> None:
    settings = Settings(var_dir=var_dir, database_url="", server_key="")
    url = settings.effective_database_url
    console.rule("[bold]parcellocker demo")
    console.print(f"setting up a site in {var_dir}/ (SQLite)")
    await asyncio.to_thread(migrate.upgrade, url)
    seeded = bootstrap(settings)
    try:
        site = await seed_sample_site(seeded.services)
    finally:
        await seeded.close()
    env = {"PARCELLOCKER_VAR_DIR": str(var_dir), "PARCELLOCKER_DATABASE_URL": url}
    async with ServerProcess(env, port=port) as server:
        console.print(f"server running at [bold]{server.base_url}[/] (API docs at {server.base_url}/docs)\n")

        def say(title: str, detail: str) -> None:
            console.print(f"[bold green]{title}[/]: {detail}")

        await walk_one_parcel(server.base_url, site, settings.effective_mailbox_dir, say)
        _print_logins(site, server.base_url, settings.effective_mailbox_dir)
        if keep_running:
            console.print("\nthe site keeps running; press Ctrl-C to stop it")
            assert server.process is not None
            await asyncio.to_thread(server.process.wait)


def _print_logins(site: SampleSite, base_url: str, mailbox: Path) -> None:
    console.rule("try it yourself")
    console.print(f"operator     {site.operator_id} / {site.operator_password}")
    console.print(f"carrier key  {site.carrier_key}")
    console.print(f"courier      {site.courier_id}, PIN {site.courier_pin}")
    for locker in site.lockers:
        console.print(f"terminal key of {locker.id}: {locker.terminal_key}")
    console.print(f"recipients' messages arrive as files in {mailbox}/")
    console.print(f"API docs     {base_url}/docs")
