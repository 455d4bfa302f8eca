"""`parcellocker terminal` runs on a locker's small computer: it must not load the server's stack."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SERVER_MODULES = [
    "sqlalchemy",
    "alembic",
    "asyncpg",
    "argon2",
    "pydantic_settings",
    "parcellocker.api",
    "parcellocker.adapters.db",
    "parcellocker.service",
    "parcellocker.bootstrap",
    "parcellocker.config",
]
CLI_RUN = """
import json, sys
from parcellocker.cli.main import app
try:
    app(sys.argv[1:], prog_name="parcellocker")
except SystemExit as stop:
    code = stop.code
print(json.dumps({"exit": code, "modules": sorted(sys.modules)}))
"""


def run_cli(*arguments: str) -> tuple[int, set[str]]:
    """Exit status of `parcellocker <arguments>` in a fresh interpreter, and every module it had imported."""
    done = subprocess.run(
        [sys.executable, "-c", CLI_RUN, *arguments], capture_output=True, text=True, timeout=60, check=True
    )
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    return answer["exit"], set(answer["modules"])


def test_terminal_help_imports_nothing_of_the_server() -> None:
    exit_code, modules = run_cli("terminal", "--help")
    assert exit_code == 0
    assert [name for name in SERVER_MODULES if name in modules] == []


def test_terminal_run_imports_nothing_of_the_server(tmp_path: Path) -> None:
    config = tmp_path / "locker.toml"
    config.write_text(
        f"""
locker_id = "DEMO-1"
store = "{tmp_path / "terminal.db"}"
[server]
url = "http://127.0.0.1:9"
terminal_key = "plt_not-needed-here"
[bus]
url = "{tmp_path / "no-such-serial-port"}"
protocol = "kerong"
[wiring]
layout = "S:8,M:6,L:4"
"""
    )
    exit_code, modules = run_cli("terminal", "--config", str(config))
    assert exit_code == 1  # it got as far as opening the bus, which is not there
    assert {"parcellocker.terminal.process", "parcellocker.terminal.kiosk.api"} <= modules
    assert [name for name in SERVER_MODULES if name in modules] == []


def test_main_help_still_lists_every_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "parcellocker.cli.main", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    for command in ["demo", "terminal", "serve", "db", "locker", "carrier", "courier", "operator", "audit", "bench"]:
        assert f" {command} " in done.stdout
