"""`parcellocker terminal --config locker.toml`: run a locker's terminal until SIGTERM or Ctrl-C."""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path
from typing import Annotated

import typer

from parcellocker.boards.port import BoardError
from parcellocker.cli.console import error_console
from parcellocker.logs import configure_logging
from parcellocker.terminal.config import ConfigError, TerminalConfig, load_config
from parcellocker.terminal.link.port import LinkError
from parcellocker.terminal.process import TerminalPartFailed, run_terminal
from parcellocker.terminal.store import StoreError


def terminal(
    config: Annotated[Path, typer.Option("--config", "-c", help="The terminal's configuration (TOML).")] = Path(
        "locker.toml"
    ),
    log_format: Annotated[str, typer.Option(help="text or json.")] = "text",
) -> None:
    """Run the locker's terminal: drive the boards, keep the doors, talk with the server, serve the kiosk."""
    try:
        settings = load_config(config)
        configure_logging(log_format, settings.log_level)
        logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request to the server is noise here
        asyncio.run(_run(settings))
    except (ConfigError, StoreError, LinkError, BoardError, TerminalPartFailed) as error:
        error_console.print(f"[bold red]error:[/] {error}")
        raise typer.Exit(1) from None


async def _run(settings: TerminalConfig) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stop.set)
    await run_terminal(settings, stop)
