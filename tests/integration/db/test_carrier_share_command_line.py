"""`parcellocker locker share` and `locker shares` against a real SQLite database, as an operator types them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from parcellocker.cli.main import app


@pytest.fixture
async def environment(fresh_database: Any, tmp_path: Path) -> dict[str, str]:
    return {"PARCELLOCKER_DATABASE_URL": await fresh_database("sqlite"), "PARCELLOCKER_VAR_DIR": str(tmp_path)}


def run(environment: dict[str, str], *arguments: str) -> Result:
    return CliRunner().invoke(app, list(arguments), env=environment)


def test_an_operator_sets_shows_and_clears_carriers_shares_from_the_command_line(environment: dict[str, str]) -> None:
    assert run(environment, "locker", "add", "--id", "L-1", "--name", "Station", "--layout", "S:4,M:4").exit_code == 0
    for carrier in ("fast", "slow"):
        assert run(environment, "carrier", "add", "--id", carrier, "--name", carrier.title()).exit_code == 0

    by_sizes = run(environment, "locker", "share", "L-1", "fast", "--sizes", "M:2,S:1")
    by_numbers = run(environment, "locker", "share", "L-1", "slow", "--compartments", "2,7-8")
    assert by_sizes.exit_code == 0, by_sizes.output
    assert by_numbers.exit_code == 0, by_numbers.output
    shown = run(environment, "locker", "shares", "L-1")
    assert shown.exit_code == 0
    rows = [line.split("│")[1:4] for line in shown.output.splitlines() if "│" in line]  # the rows below the head
    assert [[cell.strip() for cell in row] for row in rows] == [
        ["fast", "1, 5, 6", "S:1, M:2"],
        ["slow", "2, 7, 8", "S:1, M:2"],
    ]

    cleared = run(environment, "locker", "share", "L-1", "slow", "--clear")
    assert cleared.exit_code == 0 and "none" in cleared.output
    assert "slow" not in run(environment, "locker", "shares", "L-1").output


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (["--compartments", "1", "--sizes", "S:1"], "exactly one of"),
        ([], "exactly one of"),
        (["--compartments", "3-1"], "not a door number or a range"),
        (["--sizes", "S:1,S:2"], "given twice"),
        (["--sizes", "Q:1"], "Q"),
        (["--compartments", "9"], "no compartment 9"),
        (["--sizes", "S:5"], "not enough for 5"),
    ],
)
def test_a_bad_share_is_refused_with_a_clear_message(
    environment: dict[str, str], arguments: list[str], said: str
) -> None:
    run(environment, "locker", "add", "--id", "L-1", "--name", "Station", "--layout", "S:4")
    run(environment, "carrier", "add", "--id", "fast", "--name", "Fast")
    refused = run(environment, "locker", "share", "L-1", "fast", *arguments)
    assert refused.exit_code != 0
    assert said in refused.output
