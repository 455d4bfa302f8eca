"""`bench floor` serves its own small app through the server's stack and measures it as `bench api` does."""

from __future__ import annotations

from typing import TYPE_CHECKING

from typer.testing import CliRunner

from parcellocker.cli.main import app

if TYPE_CHECKING:
    from tests.conftest import PostgresDatabases


def test_the_floor_answers_every_request_and_reports_its_rate(postgres_databases: PostgresDatabases) -> None:
    postgres_databases.require()
    admin = postgres_databases.url_of("postgres").replace("postgresql+asyncpg://", "postgresql://")
    arguments = ["bench", "floor", "--statements", "2", "--clients", "3", "--seconds", "1", "--warmup", "0",
                 "--workers", "1", "--postgres-admin-url", admin]  # fmt: skip
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 0, result.output
    assert "bench floor: 2 statement(s) per request" in result.output
    assert "failed" not in result.output
    rate = float(result.output.split(" operations/s")[0].split()[-1].replace(",", ""))
    assert rate > 0
    cpu = " ".join(result.output.split("CPU per operation:")[1].split())  # the line as printed, unwrapped
    assert cpu.startswith("server ") and ", PostgreSQL " in cpu and ", client " in cpu, cpu


def test_the_floor_is_measured_on_postgresql_only() -> None:
    result = CliRunner().invoke(app, ["bench", "floor", "--statements", "-1"])
    assert result.exit_code != 0
    assert "statements" in result.output
