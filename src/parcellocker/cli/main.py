"""`parcellocker`: serve, set up and check a parcel-locker site.

Each command lives in a module of its own, imported only when that command runs (`parcellocker --help`, which
lists them all, imports them all): `parcellocker terminal` runs on a locker's small computer and must not load
the server's stack (SQLAlchemy, Alembic, the API) that the other commands import.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:
    from typer import _click as click  # the click that typer's groups are built on (typer vendors its own)

COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("parcellocker.cli.demo", "demo"),
    "terminal": ("parcellocker.cli.terminal", "terminal"),
    "serve": ("parcellocker.cli.serve", "serve"),
}
"""name: (module, function) of each single command."""
GROUPS: dict[str, tuple[str, str]] = {
    "db": ("parcellocker.cli.db", "db_app"),
    "locker": ("parcellocker.cli.admin", "locker_app"),
    "carrier": ("parcellocker.cli.admin", "carrier_app"),
    "courier": ("parcellocker.cli.admin", "courier_app"),
    "operator": ("parcellocker.cli.admin", "operator_app"),
    "rental": ("parcellocker.cli.rentals", "rental_app"),
    "audit": ("parcellocker.cli.audit", "audit_app"),
    "bench": ("parcellocker.cli.bench", "bench_app"),
}
"""name: (module, typer app) of each group of commands."""


class LazyCommands(TyperGroup):
    """The top-level group: a command's module is imported when the command is looked up."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*COMMANDS, *GROUPS]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and (cmd_name in COMMANDS or cmd_name in GROUPS):
            self.add_command(_load(cmd_name), cmd_name)
        return super().get_command(ctx, cmd_name)


def _load(name: str) -> click.Command:
    """The click command of `name`, built by typer exactly as an eagerly registered one would be."""
    holder = typer.Typer(add_completion=False)
    if name in COMMANDS:
        module, function = COMMANDS[name]
        holder.command(name)(getattr(importlib.import_module(module), function))
    else:
        module, sub_app = GROUPS[name]
        holder.add_typer(getattr(importlib.import_module(module), sub_app), name=name)
    return typer.main.get_group(holder).commands[name]


app = typer.Typer(
    cls=LazyCommands,
    help="parcellocker: the open-source parcel-locker platform.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def main() -> None:
    """The group's callback: without one, typer would not build a group of the commands above."""


if __name__ == "__main__":
    app()
