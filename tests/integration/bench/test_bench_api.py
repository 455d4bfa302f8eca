"""`bench api` on SQLite: complete lifecycles against a server process, their rate, and where the CPU went."""

from __future__ import annotations

from typer.testing import CliRunner

from parcellocker.bench.cpu_split import CpuMeter
from parcellocker.cli.main import app


def test_a_short_run_on_sqlite_reports_lifecycles_latencies_the_wait_for_codes_and_cpu_per_operation() -> None:
    arguments = ["bench", "api", "--db", "sqlite", "--clients", "2", "--seconds", "2", "--warmup", "0"]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 0, result.output
    assert "failed" not in result.output
    for operation in ("announce", "deposit", "door closed (deposit)", "pickup", "door closed (pickup)"):
        assert f"│ {operation} " in result.output
    rate = float(result.output.split(" operations/s")[0].split()[-1].replace(",", ""))
    assert rate > 0
    waited = " ".join(result.output.split("Not an operation:")[1].split())  # unwrapped
    assert waited.startswith("pickup code in the recipient's mailbox after the door closed, p50 "), waited
    if CpuMeter.available():
        cpu = " ".join(result.output.split("CPU per operation:")[1].split())  # the line as printed, unwrapped
        assert cpu.startswith("server ") and ", client " in cpu, cpu
        assert "PostgreSQL" not in cpu  # SQLite runs inside the server's process
