"""The shared rich console and how the CLI reports a refused request."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

import typer
from rich.console import Console

from parcellocker.domain.errors import DomainError

console = Console()
error_console = Console(stderr=True)

T = TypeVar("T")


def run_or_exit(work: Awaitable[T]) -> T:
    """Run a coroutine; a domain error is printed as one clear line and exits with status 1."""
    try:
        return asyncio.run(work)  # type: ignore[arg-type]
    except DomainError as error:
        error_console.print(f"[bold red]error:[/] {error.message}")
        raise typer.Exit(1) from None
    except ValueError as error:
        error_console.print(f"[bold red]error:[/] {error}")
        raise typer.Exit(1) from None
