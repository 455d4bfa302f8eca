"""Setting up a site from the server's own machine: lockers, carriers, couriers, operators."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

import typer
from rich.table import Table

from parcellocker.bootstrap import bootstrap
from parcellocker.cli.console import console, run_or_exit
from parcellocker.cli.webhooks import webhook_app
from parcellocker.config import Settings
from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.carrier_shares import MAX_SHARE, CarrierShare
from parcellocker.domain.errors import InvalidInput
from parcellocker.domain.locker import parse_layout
from parcellocker.domain.sizes import Size
from parcellocker.service.accounts import AddCarrier, AddCourier, AddOperator, add_carrier, add_courier, add_operator
from parcellocker.service.carrier_shares import (
    ReadCarrierShares,
    SetCarrierShare,
    read_carrier_shares,
    set_carrier_share,
)
from parcellocker.service.context import UseCase
from parcellocker.service.lockers import AddLocker, add_locker

CLI_OPERATOR = Principal(Role.OPERATOR, "cli")

C = TypeVar("C")
R = TypeVar("R")

locker_app = typer.Typer(
    help="Lockers: add one with its compartment layout; set aside compartments for a carrier.", no_args_is_help=True
)
carrier_app = typer.Typer(help="Carriers: the companies that announce shipments.", no_args_is_help=True)
courier_app = typer.Typer(help="Couriers: the people who fill and empty lockers.", no_args_is_help=True)
operator_app = typer.Typer(help="Operators: the people who run the lockers.", no_args_is_help=True)
carrier_app.add_typer(webhook_app, name="webhook")


def run_use_case(use_case: UseCase[C, R], command: C) -> R:
    """Run one use case against the configured database, as the CLI operator."""

    async def work() -> R:
        server = bootstrap(Settings())
        try:
            result: R = await server.services.run(use_case, command, lambda value: value)
            return result
        finally:
            await server.close()

    return run_or_exit(work())


@locker_app.command("add")
def locker_add(
    name: Annotated[str, typer.Option(help="Name shown to people, e.g. 'Central Station'.")],
    layout: Annotated[str, typer.Option(help="Compartments by size in door order, e.g. 'S:8,M:6,L:4'.")],
    address: Annotated[str, typer.Option(help="Street address of the locker.")] = "",
    locker_id: Annotated[str | None, typer.Option("--id", help="Locker id; generated when omitted.")] = None,
    timezone: Annotated[str, typer.Option(help="Time zone of the site, e.g. Europe/Warsaw.")] = "UTC",
    locks_per_board: Annotated[int, typer.Option(help="Locks on each lock-control board.")] = 16,
    first_board: Annotated[int, typer.Option(help="Address of the first board on the bus.")] = 0,
    opening_hours: Annotated[str, typer.Option(help="When people can reach it, as messages say it.")] = "24/7",
) -> None:
    """Add a locker; compartments are numbered in layout order and wired to boards in turn."""
    added = run_use_case(
        add_locker,
        AddLocker(
            CLI_OPERATOR,
            name,
            address,
            layout,
            locker_id,
            timezone,
            locks_per_board=locks_per_board,
            first_board=first_board,
            opening_hours=opening_hours,
        ),
    )
    table = Table("compartment", "size", "board", "channel", title=f"locker {added.locker.id}: {added.locker.name}")
    for compartment in added.locker.compartments:
        table.add_row(str(compartment.number), compartment.size.value, str(compartment.board), str(compartment.channel))
    console.print(table)
    console.print(f"terminal key (shown once, put it in the terminal's config): [bold]{added.terminal_key}[/]")


@carrier_app.command("add")
def carrier_add(
    name: Annotated[str, typer.Option(help="Company name.")],
    carrier_id: Annotated[str | None, typer.Option("--id", help="Carrier id; generated when omitted.")] = None,
) -> None:
    """Add a carrier and print its API key (shown once; only its hash is kept)."""
    added = run_use_case(add_carrier, AddCarrier(CLI_OPERATOR, name, carrier_id))
    console.print(f"carrier [bold]{added.carrier.id}[/] ({added.carrier.name}) added")
    console.print(f"API key (shown once): [bold]{added.api_key}[/]")


@courier_app.command("add")
def courier_add(
    carrier: Annotated[str, typer.Option(help="Id of the courier's carrier.")],
    courier_id: Annotated[str, typer.Option("--id", help="Courier id, printed on the courier card.")],
    name: Annotated[str, typer.Option(help="Courier's name.")] = "",
    pin: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="4-12 digits.")] = "",
) -> None:
    """Add a courier who signs in at lockers with an id and a PIN."""
    courier = run_use_case(add_courier, AddCourier(CLI_OPERATOR, courier_id, carrier, name, pin))
    console.print(f"courier [bold]{courier.id}[/] of carrier {courier.carrier_id} added")


@operator_app.command("add")
def operator_add(
    operator_id: Annotated[str, typer.Option("--id", help="Sign-in name.")],
    name: Annotated[str, typer.Option(help="Operator's name.")] = "",
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="At least 8 characters.")
    ] = "",
) -> None:
    """Add an operator who signs in to the API and the dashboard."""
    operator = run_use_case(add_operator, AddOperator(operator_id, name, password))
    console.print(f"operator [bold]{operator.id}[/] added")


@locker_app.command("share")
def locker_share(
    locker_id: Annotated[str, typer.Argument(help="The locker.")],
    carrier: Annotated[str, typer.Argument(help="The carrier the compartments are set aside for.")],
    sizes: Annotated[str | None, typer.Option(help="How many of each size, e.g. 'M:4' or 'S:2,M:4'.")] = None,
    compartments: Annotated[str | None, typer.Option(help="Door numbers, e.g. '3,4,9-12'.")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Give the carrier's share back to the pool.")] = False,
) -> None:
    """Set a carrier's share of a locker: its parcels go there first, then into the pool, never into another's."""
    if [sizes is not None, compartments is not None, clear].count(True) != 1:
        raise typer.BadParameter("give exactly one of --sizes, --compartments or --clear")
    if clear:
        command = SetCarrierShare(CLI_OPERATOR, locker_id, carrier, numbers=())
    elif compartments is not None:
        command = SetCarrierShare(CLI_OPERATOR, locker_id, carrier, numbers=_parsed(_door_numbers, compartments))
    else:
        assert sizes is not None
        command = SetCarrierShare(CLI_OPERATOR, locker_id, carrier, sizes=_parsed(_size_counts, sizes))
    share = run_use_case(set_carrier_share, command)
    console.print(_share_table(locker_id, [share]))


@locker_app.command("shares")
def locker_shares(locker_id: Annotated[str, typer.Argument(help="The locker.")]) -> None:
    """Show the carriers' shares of a locker."""
    shares = run_use_case(read_carrier_shares, ReadCarrierShares(CLI_OPERATOR, locker_id))
    if not shares:
        console.print(f"locker {locker_id}: every compartment is in the pool that all carriers share")
        return
    console.print(_share_table(locker_id, shares))


def _share_table(locker_id: str, shares: list[CarrierShare]) -> Table:
    table = Table("carrier", "compartments", "sizes", title=f"carriers' shares of locker {locker_id}")
    for share in shares:
        sizes = ", ".join(f"{size.value}:{count}" for size, count in share.sizes.items())
        table.add_row(share.carrier_id, ", ".join(str(n) for n in share.numbers) or "none", sizes or "-")
    return table


def _parsed(parse: Callable[[str], R], text: str) -> R:
    """What `parse` makes of an option's text; a bad one is refused as a bad parameter."""
    try:
        return parse(text)
    except InvalidInput as error:
        raise typer.BadParameter(error.message) from None


def _door_numbers(text: str) -> tuple[int, ...]:
    """'3,4,9-12' → (3, 4, 9, 10, 11, 12)."""
    numbers: list[int] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        first, dash, last = part.partition("-")
        if not first.isdigit() or (dash and not last.isdigit()) or (dash and int(last) < int(first)):
            raise InvalidInput(f"{part!r} is not a door number or a range such as 9-12")
        if int(last or first) - int(first) >= MAX_SHARE:
            raise InvalidInput(f"a share holds at most {MAX_SHARE} compartments")
        numbers.extend(range(int(first), int(last or first) + 1))
    if not numbers:
        raise InvalidInput("name at least one door, e.g. '3,4,9-12' (or use --clear)")
    return tuple(numbers)


def _size_counts(text: str) -> dict[Size, int]:
    """'S:2,M:4' → {S: 2, M: 4}."""
    counts: dict[Size, int] = {}
    for entry in parse_layout(text):
        if entry.size in counts:
            raise InvalidInput(f"size {entry.size.value} is given twice")
        counts[entry.size] = entry.count
    return counts
