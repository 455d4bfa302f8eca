"""Renting compartments, set up from the server's own machine: a locker's terms, which compartments are rented,
companies' accounts, prepaid vouchers, and an account's charges as CSV."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.table import Table

from parcellocker.adapters.payments.account_billing import charges_csv
from parcellocker.cli.admin import CLI_OPERATOR, run_use_case
from parcellocker.cli.console import console, error_console
from parcellocker.domain.compartment import CompartmentUse
from parcellocker.domain.errors import InvalidInput
from parcellocker.domain.payment import PaymentMethod, format_amount, show_voucher_code
from parcellocker.domain.rental_terms import OverduePolicy, SizePrice, describe
from parcellocker.domain.sizes import Size, parse_size
from parcellocker.service.rental_charges import ListAccountCharges, list_account_charges
from parcellocker.service.rental_setup import (
    AddRentalAccount,
    DedicateCompartments,
    IssueVouchers,
    SetRentalTerms,
    add_rental_account,
    dedicate_compartments,
    issue_vouchers,
    set_rental_terms,
)

rental_app = typer.Typer(
    help="Rentals: a locker's terms and rented compartments, companies' accounts, vouchers, charges.",
    no_args_is_help=True,
)
account_app = typer.Typer(help="Companies' rental accounts.", no_args_is_help=True)
rental_app.add_typer(account_app, name="account")

_PRICE = re.compile(r"^(?P<size>[A-Za-z]{1,2}):(?P<hour>\d+)/(?P<day>\d+)/(?P<longest>\d+)(?P<unit>[hd])$")
_RANGE = re.compile(r"^(\d+)(?:-(\d+))?$")
T = TypeVar("T")


def parse_price(text: str) -> tuple[Size, SizePrice]:
    """E.g. "S:200/1500/7d": size S, 200 per started hour, 1500 per day at most, rented for 7 days at most."""
    found = _PRICE.match(text.strip())
    if found is None:
        raise InvalidInput(
            f"price {text!r} should look like 'S:200/1500/7d' (size, cents per hour, per day, longest in h or d)"
        )
    unit = timedelta(days=1) if found["unit"] == "d" else timedelta(hours=1)
    price = SizePrice(int(found["hour"]), int(found["day"]), int(found["longest"]) * unit)
    return parse_size(found["size"]), price


def parse_numbers(text: str) -> list[int]:
    """E.g. "1,3-4" → [1, 3, 4]."""
    numbers: list[int] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        found = _RANGE.match(part)
        if found is None:
            raise InvalidInput(f"{part!r} is not a compartment number or a range such as 3-6")
        low, high = int(found[1]), int(found[2] or found[1])
        if high < low or high - low > 500:
            raise InvalidInput(f"{part!r} is not a range of compartments")
        numbers.extend(range(low, high + 1))
    return numbers


def _or_exit(parse: Callable[[], T]) -> T:
    """What `parse` reads from an option, or its refusal printed as one line (exit status 2, a usage error)."""
    try:
        return parse()
    except InvalidInput as error:
        error_console.print(f"[bold red]error:[/] {error.message}")
        raise typer.Exit(2) from None


@rental_app.command("terms")
def rental_terms(
    locker: Annotated[str, typer.Option(help="The locker's id.")],
    price: Annotated[list[str], typer.Option(help="Per size: 'S:200/1500/7d' (cents per hour/day, longest).")],
    currency: Annotated[str, typer.Option(help="Three letters, e.g. EUR.")] = "EUR",
    overdue: Annotated[OverduePolicy, typer.Option(help="Past a rental's end: charge it, or staff collect.")] = (
        OverduePolicy.CHARGE
    ),
    walk_up: Annotated[list[PaymentMethod] | None, typer.Option(help="How walk-up renters pay (repeatable).")] = None,
    grace: Annotated[int, typer.Option(help="Minutes past the end that cost nothing.")] = 10,
) -> None:
    """Set a locker's rental terms."""
    prices = dict(_or_exit(lambda: [parse_price(text) for text in price]))
    methods = frozenset(walk_up or [PaymentMethod.PREPAID])
    command = SetRentalTerms(CLI_OPERATOR, locker, currency, prices, overdue, methods, timedelta(minutes=grace))
    terms = run_use_case(set_rental_terms, command)
    table = Table("size", "per hour", "per day", "longest", title=f"rental terms of {locker} ({terms.overdue.value})")
    for size in terms.sizes:
        row = terms.prices[size]
        amounts = (format_amount(row.per_hour, terms.currency), format_amount(row.per_day, terms.currency))
        table.add_row(size.value, *amounts, describe(row.max_duration))
    console.print(table)


@rental_app.command("compartments")
def rental_compartments(
    locker: Annotated[str, typer.Option(help="The locker's id.")],
    use: Annotated[CompartmentUse, typer.Option(help="Keep them for rentals, or for parcels again.")],
    numbers: Annotated[str | None, typer.Option(help="E.g. '1,3-6'; all of the locker's if left out.")] = None,
) -> None:
    """Keep compartments for rentals (or for parcels): all of them or none."""
    chosen = None if numbers is None else _or_exit(lambda: parse_numbers(numbers))
    changed = run_use_case(dedicate_compartments, DedicateCompartments(CLI_OPERATOR, locker, use, chosen))
    console.print(f"compartments {', '.join(str(c.number) for c in changed)} of {locker} are kept for {use.value}")


@account_app.command("add")
def account_add(
    name: Annotated[str, typer.Option(help="The company or hotel.")],
    locker: Annotated[list[str], typer.Option(help="A locker it may rent at (repeatable).")],
    account_id: Annotated[str | None, typer.Option("--id", help="Account id; generated when omitted.")] = None,
) -> None:
    """Add a company's rental account and print its app's API key (shown once)."""
    added = run_use_case(add_rental_account, AddRentalAccount(CLI_OPERATOR, name, frozenset(locker), account_id))
    console.print(f"rental account [bold]{added.account.id}[/] ({added.account.name}) added")
    console.print(f"API key (shown once): [bold]{added.api_key}[/]")


@rental_app.command("vouchers")
def vouchers(
    value: Annotated[int, typer.Option(help="Cents each is worth.")],
    currency: Annotated[str, typer.Option(help="Three letters, e.g. EUR.")] = "EUR",
    count: Annotated[int, typer.Option(help="How many (1-100).")] = 1,
    expires: Annotated[datetime | None, typer.Option(help="When they expire (UTC), e.g. 2027-01-31.")] = None,
) -> None:
    """Issue prepaid vouchers and print their codes (shown once)."""
    expires_at = None if expires is None else expires.replace(tzinfo=expires.tzinfo or UTC)
    issued = run_use_case(issue_vouchers, IssueVouchers(CLI_OPERATOR, value, currency, count, expires_at))
    for voucher in issued:
        worth = format_amount(voucher.voucher.value, voucher.voucher.currency)
        console.print(f"{show_voucher_code(voucher.code)}  {worth}")


@rental_app.command("charges")
def charges(
    account: Annotated[str, typer.Option(help="The rental account's id.")],
    since: Annotated[datetime, typer.Option(help="From (UTC), included, e.g. 2026-11-01.")],
    until: Annotated[datetime, typer.Option(help="Until (UTC), excluded, e.g. 2026-12-01.")],
    output: Annotated[Path | None, typer.Option(help="Write the CSV there instead of to the screen.")] = None,
) -> None:
    """An account's charges as CSV, for its invoice."""
    period = (since.replace(tzinfo=since.tzinfo or UTC), until.replace(tzinfo=until.tzinfo or UTC))
    found = run_use_case(list_account_charges, ListAccountCharges(CLI_OPERATOR, account, *period))
    text = charges_csv(found)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text)
        console.print(f"{len(found)} charges written to {output}")
