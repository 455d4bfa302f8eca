"""The demo locker's terminal: its `locker.toml` in the demo's folder, and `parcellocker terminal --config …` run as
a process of its own, as it runs on a locker's computer."""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from parcellocker.terminal.config import load_config

CONFIG = """\
# The terminal of the demo locker, written by `parcellocker demo` (see docs/examples/locker.toml for every setting).
locker_id = {locker_id}
store = {store}
log_level = "INFO"

[server]
url = {server_url}
terminal_key_file = {key_file}

[link]
transport = "http"
command_wait = 2.0  # short long polls: the server, when stopped, waits for the one in flight

[bus]
url = {bus_url}  # the pseudo-terminal of the emulated boards
protocol = "kerong"

[wiring]
layout = {layout}
locks_per_board = {locks_per_board}

[kiosk]
host = "127.0.0.1"
port = {kiosk_port}
emulator_url = {emulator_url}  # the demo's control of the emulated doors: the kiosk shows its emulator panel
"""


def write_terminal_config(
    folder: Path,
    *,
    locker_id: str,
    terminal_key: str,
    server_url: str,
    bus_url: str,
    layout: str,
    locks_per_board: int,
    kiosk_port: int,
    emulator_url: str,
) -> Path:
    """Write `folder/locker.toml` and the key file it names (readable by its owner only); returns the config."""
    folder.mkdir(parents=True, exist_ok=True)
    key_file = folder / f"{locker_id}.key"
    key_file.touch(mode=0o600)
    key_file.write_text(terminal_key + "\n")
    config = folder / "locker.toml"
    config.write_text(
        CONFIG.format(
            locker_id=_toml(locker_id),
            store=_toml(str((folder / f"{locker_id}.db").resolve())),
            server_url=_toml(server_url),
            key_file=_toml(str(key_file.resolve())),
            bus_url=_toml(bus_url),
            layout=_toml(layout),
            locks_per_board=locks_per_board,
            kiosk_port=kiosk_port,
            emulator_url=_toml(emulator_url),
        )
    )
    load_config(config)  # a mistake in it is the demo's own: say so here rather than in the terminal's log
    return config


def _toml(text: str) -> str:
    """A TOML basic string (JSON's string escapes are TOML's too)."""
    return json.dumps(text)


class TerminalProcess:
    """`parcellocker terminal --config <config>` as a child process, its output in `log_path`."""

    def __init__(self, config: Path, kiosk_url: str, log_path: Path, startup_timeout: float = 30) -> None:
        self.config = config
        self.kiosk_url = kiosk_url
        self.log_path = log_path
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    async def start(self) -> dict[str, Any]:
        """Start it and wait until it serves the kiosk, which it does once every door is reconciled with the
        boards; returns its status then."""
        self.launch()
        deadline = time.monotonic() + self.startup_timeout
        async with httpx.AsyncClient(base_url=self.kiosk_url, timeout=2) as kiosk:
            while time.monotonic() < deadline:
                if not self.running:
                    raise RuntimeError(f"the terminal exited at start-up:\n{self.log_tail()}")
                try:
                    reply = await kiosk.get("/status")
                    if reply.status_code == 200 and reply.json()["ready"]:
                        status: dict[str, Any] = reply.json()
                        return status
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        await self.stop()
        raise RuntimeError(f"the terminal was not ready within {self.startup_timeout:.0f} s:\n{self.log_tail()}")

    def launch(self) -> None:
        command = [sys.executable, "-m", "parcellocker.cli.main", "terminal", "--config", str(self.config)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)

    async def stop(self, within: float = 10) -> int | None:
        """SIGTERM, and its exit status; killed if it has not stopped `within` seconds later. Waits without
        blocking the event loop, so that the in-process boards answer it until it is gone."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            await asyncio.to_thread(self.process.wait, within)
        self.kill()
        return self.process.returncode

    def kill(self) -> None:
        """SIGKILL if it still runs; the last resort when the demo itself is being torn down."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
