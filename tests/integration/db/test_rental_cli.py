"""`parcellocker rental …` against a real database: an operator sets a locker up for rentals from the server's machine,
issues vouchers and a company's account, and exports the account's charges as CSV."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from parcellocker.adapters.db.engine import make_engine
from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.cli.main import app
from parcellocker.domain.compartment import CompartmentUse
from parcellocker.domain.rental_terms import OverduePolicy, RentalTerms
from parcellocker.domain.sizes import Size


def _cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


async def _read(url: str, locker_id: str) -> tuple[RentalTerms | None, list[tuple[int, CompartmentUse]]]:
    engine = make_engine(url)
    try:
        async with SqlUnitOfWork(engine) as uow:
            terms = await uow.rental_terms.get(locker_id)
            locker = await uow.lockers.get(locker_id)
            assert locker is not None
            return terms, [(c.number, c.use) for c in locker.compartments]
    finally:
        await engine.dispose()


def test_an_operator_sets_a_locker_up_for_rentals_from_the_command_line(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARCELLOCKER_DATABASE_URL", database_url)
    monkeypatch.setenv("PARCELLOCKER_VAR_DIR", str(tmp_path / "var"))
    _cli("locker", "add", "--name", "Airport", "--layout", "S:4,M:2", "--id", "AIR-1")
    shown = _cli(
        "rental",
        "terms",
        "--locker",
        "AIR-1",
        "--price",
        "S:200/1500/7d",
        "--price",
        "M:300/2000/72h",
        "--overdue",
        "staff_collection",
        "--walk-up",
        "prepaid",
    )
    assert "2.00 EUR" in shown and "15.00 EUR" in shown and "3 days" in shown
    assert "kept for rental" in _cli(
        "rental", "compartments", "--locker", "AIR-1", "--use", "rental", "--numbers", "1,5-6"
    )
    key = re.search(
        r"API key \(shown once\): (\S+)",
        _cli("rental", "account", "add", "--name", "Hotel", "--locker", "AIR-1", "--id", "hotel"),
    )
    assert key is not None and key[1].startswith("plr_")
    codes = re.findall(r"\d{4}-\d{4}-\d{4}", _cli("rental", "vouchers", "--value", "1000", "--count", "3"))
    assert len(set(codes)) == 3

    terms, uses = asyncio.run(_read(database_url, "AIR-1"))
    assert terms.overdue is OverduePolicy.STAFF_COLLECTION
    assert terms.prices[Size.M].max_duration == timedelta(hours=72)
    assert [number for number, use in uses if use is CompartmentUse.RENTAL] == [1, 5, 6]

    today = datetime.now(UTC).date()
    csv = _cli(
        "rental", "charges", "--account", "hotel", "--since", str(today), "--until", str(today + timedelta(days=1))
    )
    assert csv.splitlines() == [
        "settled_at,payment_id,rental_id,locker_id,compartment,size,purpose,renter,starts_at,ends_at,amount,currency"
    ]


def test_mistakes_on_the_command_line_are_told_in_one_line(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARCELLOCKER_DATABASE_URL", database_url)
    monkeypatch.setenv("PARCELLOCKER_VAR_DIR", str(tmp_path / "var"))
    runner = CliRunner()
    bad_price = runner.invoke(app, ["rental", "terms", "--locker", "NOPE", "--price", "S:2"])
    assert bad_price.exit_code == 2 and "should look like 'S:200/1500/7d'" in bad_price.output
    no_locker = runner.invoke(app, ["rental", "terms", "--locker", "NOPE", "--price", "S:1/2/3d"])
    assert no_locker.exit_code == 1 and "there is no locker NOPE" in no_locker.output
    bad_range = runner.invoke(
        app, ["rental", "compartments", "--locker", "NOPE", "--use", "rental", "--numbers", "4-2"]
    )
    assert bad_range.exit_code == 2 and "not a range" in bad_range.output
