"""The demo's locker site on this machine: a fresh SQLite database under the demo's folder, seeded; the server as
its own process; the locker's emulated boards on a pseudo-terminal (in this process, see `demo_boards`) with their
control over HTTP for the kiosk's emulator panel (`demo_emulator_control`); and the locker's terminal as its own
process, configured for all of them. Stopped in the reverse order: terminal, emulator control, boards, server.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

from parcellocker.adapters.db import migrate
from parcellocker.bootstrap import bootstrap
from parcellocker.config import Settings
from parcellocker.demo_boards import DemoBoards
from parcellocker.demo_emulator_control import EmulatorControl
from parcellocker.demo_terminal import TerminalProcess, write_terminal_config
from parcellocker.domain.locker import parse_layout, plan_compartments
from parcellocker.sample_site import SampleLocker, SampleSite, seed_sample_site
from parcellocker.server_process import ServerProcess
from parcellocker.terminal.config import WiringConfig
from parcellocker.terminal.doors import BusWiring

LAYOUT = "S:8,M:6,L:4"
LOCKS_PER_BOARD = 16  # a Kerong KR-CU16: compartments 1-16 on board 0, 17-18 on board 1
MARKER = ".parcellocker-demo"
"""A file in the demo's folder, so that a folder is only ever emptied if a demo made it."""
DEMO_FILES = {"parcellocker.db", "parcellocker.db-wal", "parcellocker.db-shm", "server.key", "mailbox", "terminal"}
"""What a demo leaves in its folder (those of earlier demos, made before the marker, have no marker)."""


class DemoFolderInUse(Exception):
    """The folder given for the demo holds something else; it is not emptied."""


@dataclass(slots=True)
class DemoSite:
    var_dir: Path
    settings: Settings
    seeded: SampleSite
    server: ServerProcess
    boards: DemoBoards
    emulator: EmulatorControl
    terminal: TerminalProcess

    @property
    def locker(self) -> SampleLocker:
        return self.seeded.lockers[0]

    @property
    def mailbox(self) -> Path:
        return self.settings.effective_mailbox_dir

    @property
    def kiosk_url(self) -> str:
        return self.terminal.kiosk_url


def fresh_folder(var_dir: Path) -> None:
    """Empty `var_dir` (every demo starts from an empty site), refusing a folder that a demo did not make."""
    if var_dir.exists():
        names = {entry.name for entry in var_dir.iterdir()} if var_dir.is_dir() else {""}
        if MARKER not in names and not names <= DEMO_FILES:
            raise DemoFolderInUse(f"{var_dir} holds files that are not a demo's; give another --var-dir")
        shutil.rmtree(var_dir)
    var_dir.mkdir(parents=True)
    (var_dir / MARKER).write_text("made by `parcellocker demo`; emptied by the next one\n")


def demo_wiring() -> BusWiring:
    """Which board and lock open each compartment of the demo locker."""
    return WiringConfig(layout=LAYOUT, locks_per_board=LOCKS_PER_BOARD).bus_wiring("kerong")


def compartment_sizes() -> dict[int, str]:
    """The size of each compartment of the demo locker, by number ("S", "M", "L")."""
    planned = plan_compartments(parse_layout(LAYOUT), locks_per_board=LOCKS_PER_BOARD)
    return {compartment.number: compartment.size.value for compartment in planned}


@contextlib.asynccontextmanager
async def running_demo_site(
    var_dir: Path, port: int, kiosk_port: int, emulator_port: int, note: Callable[[str, str], None]
) -> AsyncIterator[DemoSite]:
    """Set the site up in `var_dir` and run it until the block ends; `note(part, detail)` says what started."""
    fresh_folder(var_dir)
    settings = Settings(var_dir=var_dir, database_url="", server_key="")
    seeded = await _seed(settings)
    note("site", f"{var_dir}/ (SQLite): an operator, carrier {seeded.carrier_id}, courier {seeded.courier_id}, "
                 f"locker {seeded.lockers[0].id} ({LAYOUT})")  # fmt: skip
    env = {"PARCELLOCKER_VAR_DIR": str(var_dir), "PARCELLOCKER_DATABASE_URL": settings.effective_database_url}
    wiring = demo_wiring()
    boards = DemoBoards(wiring)
    kiosk_origins = (f"http://127.0.0.1:{kiosk_port}", f"http://localhost:{kiosk_port}")
    emulator = EmulatorControl(boards, compartment_sizes(), kiosk_origins)
    async with contextlib.AsyncExitStack() as running:
        server = await running.enter_async_context(ServerProcess(env, port=port, log_path=var_dir / "server.log"))
        note("server", f"{server.base_url} (pid {server.process.pid if server.process else '?'})")
        running.push_async_callback(boards.close)
        pty = await boards.start()
        addresses = ", ".join(str(board.address) for board in wiring.boards)
        note("boards", f"emulated Kerong boards {addresses} ({LOCKS_PER_BOARD} locks each) on {pty}, in this process")
        running.push_async_callback(emulator.close)
        await emulator.start(emulator_port)
        note("emulator", f"door control over HTTP on {emulator.url}/doors, in this process")
        terminal = await _start_terminal(settings, seeded.lockers[0], server.base_url, pty, kiosk_port, emulator.url,
                                         running)  # fmt: skip
        note("terminal", f"{seeded.lockers[0].id}, kiosk {terminal.kiosk_url}/ (pid {terminal.pid})")
        yield DemoSite(var_dir, settings, seeded, server, boards, emulator, terminal)


async def _seed(settings: Settings) -> SampleSite:
    await asyncio.to_thread(migrate.upgrade, settings.effective_database_url)
    seeding = bootstrap(settings)
    try:
        return await seed_sample_site(seeding.services, layout=LAYOUT)
    finally:
        await seeding.close()


async def _start_terminal(
    settings: Settings,
    locker: SampleLocker,
    server_url: str,
    pty: str,
    kiosk_port: int,
    emulator_url: str,
    running: contextlib.AsyncExitStack,
) -> TerminalProcess:
    folder = settings.var_dir / "terminal"
    config = write_terminal_config(
        folder,
        locker_id=locker.id,
        terminal_key=locker.terminal_key,
        server_url=server_url,
        bus_url=pty,
        layout=LAYOUT,
        locks_per_board=LOCKS_PER_BOARD,
        kiosk_port=kiosk_port,
        emulator_url=emulator_url,
    )
    terminal = TerminalProcess(config, f"http://127.0.0.1:{kiosk_port}", folder / "terminal.log")
    running.callback(terminal.kill)  # the last resort, after the orderly stop below
    running.push_async_callback(terminal.stop)
    await terminal.start()
    return terminal
