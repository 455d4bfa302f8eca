"""`parcellocker demo` as a person runs it: the server, the terminal and the emulated boards, one parcel walked
through them, and nothing left running afterwards — whether it stops by itself (`--exit`) or on Ctrl-C.

The demo runs in a session of its own, so every process it starts is in its process group (the group Ctrl-C at a
terminal signals), and what is left of the group after it exits is what it left behind.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import tomllib
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from parcellocker.server_process import free_port
from patience import START_WITHIN

UNLOCK_COMPARTMENT_12 = "02 0b 31 03 41"
"""Kerong unlock of board 0, lock 12: the first M compartment out of reach of the demo locker (S:8, M:6, L:4; M 9-11
are within reach, kept for recipients who need them)."""


class RunningDemo:
    def __init__(self, var_dir: Path, *options: str) -> None:
        self.port, self.kiosk_port, self.emulator_port = free_port(), free_port(), free_port()
        command = [sys.executable, "-m", "parcellocker.cli.main", "demo", "--port", str(self.port),
                   "--kiosk-port", str(self.kiosk_port), "--emulator-port", str(self.emulator_port),
                   "--var-dir", str(var_dir), *options]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "COLUMNS": "250"},
            text=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for(self, text: str, within: float = START_WITHIN) -> None:
        deadline = time.monotonic() + within
        while text not in self.output:
            assert self.process.poll() is None, f"the demo exited before {text!r}:\n{self.output}"
            assert time.monotonic() < deadline, f"no {text!r} within {within} s:\n{self.output}"
            time.sleep(0.05)

    def type(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def left_running(self) -> list[str]:
        """Processes of the demo's group still alive (zombies aside), as `pid command`."""
        left = []
        for proc in Path("/proc").glob("[0-9]*"):
            state_and_group = _state_and_group(int(proc.name))
            if state_and_group is not None and state_and_group[1] == self.process.pid:
                command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                left.append(f"{proc.name} {command}")
        return left

    def finish(self) -> None:
        """Whatever the test found, leave nothing behind."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.left_running():
            os.killpg(self.process.pid, signal.SIGKILL)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)


@pytest.fixture
def var_dir(tmp_path: Path) -> Path:
    return tmp_path / "demo"


@pytest.fixture
def demos() -> Iterator[list[RunningDemo]]:
    started: list[RunningDemo] = []
    yield started
    for demo in started:
        demo.finish()


def _state_and_group(pid: int) -> tuple[str, int] | None:
    """(state, process group) of a live process; None once it is gone or a zombie."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return None if fields[0] == "Z" else (fields[0], int(fields[2]))


def emulator_control(demo: RunningDemo, path: str, method: str = "GET") -> Any:
    """The JSON answer of the demo's emulator control at `path`."""
    request = urllib.request.Request(f"http://127.0.0.1:{demo.emulator_port}{path}", method=method)
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


def child_pids(output: str) -> list[int]:
    """The pids the demo printed: `server … (pid N)`, `terminal … (pid N)`."""
    return [int(pid) for pid in re.findall(r"\(pid (\d+)\)", output)]


def test_demo_walks_a_parcel_through_terminal_and_boards_and_leaves_nothing_running(
    var_dir: Path, demos: list[RunningDemo]
) -> None:
    demo = RunningDemo(var_dir, "--exit")
    demos.append(demo)

    assert demo.process.wait(timeout=60) == 0, demo.output

    output = demo.output
    assert output.count(f"the emulated board received {UNLOCK_COMPARTMENT_12}") == 2  # the deposit, the pickup
    assert "the server says: stored" in output
    assert "the server says: picked_up" in output
    assert "done: parcel DEMO" in output and "is picked_up" in output
    with sqlite3.connect(var_dir / "parcellocker.db") as database:
        assert database.execute("SELECT state FROM shipments").fetchall() == [("picked_up",)]
        assert database.execute("SELECT state FROM compartments WHERE number = 12").fetchall() == [("free",)]
    kiosk = tomllib.loads((var_dir / "terminal" / "locker.toml").read_text())["kiosk"]
    assert (kiosk["port"], kiosk["emulator_url"]) == (demo.kiosk_port, f"http://127.0.0.1:{demo.emulator_port}")
    assert f"kiosk      http://127.0.0.1:{demo.kiosk_port}/ " in output
    assert f"dashboard  http://127.0.0.1:{demo.port}/dashboard/ " in output
    assert "operator   demo, password demo-operator" in output
    assert "courier    courier-1, PIN 2468; the QR of the courier card holds COURIER:courier-1" in output
    assert f"emulator   http://127.0.0.1:{demo.emulator_port}/doors " in output
    assert "terminal DEMO-1 stopped" in (var_dir / "terminal" / "terminal.log").read_text()
    assert len(child_pids(output)) == 2  # the server and the terminal
    assert [pid for pid in child_pids(output) if _state_and_group(pid) is not None] == []
    assert demo.left_running() == []


def test_ctrl_c_stops_the_running_site_and_leaves_nothing_running(var_dir: Path, demos: list[RunningDemo]) -> None:
    demo = RunningDemo(var_dir)
    demos.append(demo)
    demo.wait_for("press Ctrl-C to stop it")
    demo.type("show")
    demo.wait_for("board 1: 1:C")
    assert len(demo.left_running()) == 3  # the demo (with its boards and their control), the server and the terminal

    opened = emulator_control(demo, "/doors/10/open", method="POST")
    assert (opened["compartment"], opened["door"]) == (10, "open")
    demo.wait_for("emulator: open compartment 10 (board 0, lock 10) (from the emulator panel)")
    assert emulator_control(demo, "/doors")["doors"][9] == opened

    os.killpg(demo.process.pid, signal.SIGINT)  # what Ctrl-C at the demo's terminal does

    assert demo.process.wait(timeout=30) == 0, demo.output
    assert "demo stopped; nothing is left running" in demo.output
    assert [pid for pid in child_pids(demo.output) if _state_and_group(pid) is not None] == []
    assert demo.left_running() == []


def test_running_site_has_parcels_announced_for_the_courier_to_deposit(var_dir: Path, demos: list[RunningDemo]) -> None:
    demo = RunningDemo(var_dir)
    demos.append(demo)
    demo.wait_for("press Ctrl-C to stop it")

    listed = re.findall(r"^  (DEMO\d{6}-\d)  size ([SML]), for (\S+)$", demo.output, re.MULTILINE)
    assert [(size, recipient) for _, size, recipient in listed] == [
        ("S", "jan.nowak@example.com"), ("M", "lena.schmidt@example.com"), ("L", "wei.chen@example.com")
    ]  # fmt: skip
    assert f"arrives in the mailbox folder {var_dir / 'mailbox'}/" in " ".join(demo.output.split())
    with sqlite3.connect(var_dir / "parcellocker.db") as database:
        announced = database.execute("SELECT tracking_number FROM shipments WHERE state = 'announced'").fetchall()
    assert sorted(number for (number,) in announced) == sorted(number for number, _, _ in listed)
    assert _eventually_online(var_dir, "DEMO-1")  # its terminal is on the HTTP link: seen, so online
    os.killpg(demo.process.pid, signal.SIGINT)
    assert demo.process.wait(timeout=30) == 0, demo.output


def _eventually_online(var_dir: Path, locker_id: str, within: float = 10) -> bool:
    """Whether the server's database shows the locker online, with a last-seen time, within `within` s."""
    deadline = time.monotonic() + within
    while True:
        with sqlite3.connect(var_dir / "parcellocker.db") as database:
            row = database.execute("SELECT status, last_seen_at FROM lockers WHERE id = ?", (locker_id,)).fetchone()
        if row[0] == "online" and row[1] is not None:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)


def test_demo_refuses_to_empty_a_folder_it_did_not_make(var_dir: Path, demos: list[RunningDemo]) -> None:
    var_dir.mkdir()
    (var_dir / "thesis.tex").write_text("years of work")
    demo = RunningDemo(var_dir, "--exit")
    demos.append(demo)

    assert demo.process.wait(timeout=30) == 1
    assert "holds files that are not a demo's" in demo.output
    assert (var_dir / "thesis.tex").read_text() == "years of work"


@pytest.mark.parametrize("option", ["--port", "--kiosk-port", "--emulator-port"])
def test_demo_refuses_a_port_in_use(var_dir: Path, demos: list[RunningDemo], option: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        demo = RunningDemo(var_dir, option, str(port), "--exit")  # the last --port given is the one used
        demos.append(demo)

        assert demo.process.wait(timeout=30) == 1
    assert f"port {port} is in use (another demo?); choose another {option}" in " ".join(demo.output.split())
    assert not var_dir.exists()
