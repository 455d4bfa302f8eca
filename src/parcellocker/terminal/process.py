"""The terminal process: reconcile every door with what the store last knew, then serve. It runs the door
polling, the reporting of door events into the store, the outbox sender, the code sync, the command runner and
the kiosk API until `stop` is set (SIGTERM / SIGINT in `parcellocker terminal`); a part that fails stops it.

Nothing is lost when it is killed instead: every event and door state is in the store before anyone is answered,
and the next start reconciles the doors again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any

from parcellocker.domain.compartment import DoorState
from parcellocker.terminal.bootstrap import Terminal, assemble
from parcellocker.terminal.config import TerminalConfig
from parcellocker.terminal.doors import LastKnownDoor
from parcellocker.terminal.kiosk.api import create_kiosk_app, kiosk_server
from parcellocker.terminal.kiosk.screens import ScreenSettings
from parcellocker.terminal.link.port import Link

log = logging.getLogger(__name__)


class TerminalPartFailed(Exception):
    """A part of the running terminal failed, so the terminal stopped (to be started again by its supervisor)."""


async def reconcile(terminal: Terminal) -> None:
    """Read every door and compare it with the store; a door the store has never seen counts as closed (as the
    server assumes), so a door found open at the very first start is reported too."""
    numbers = terminal.coordinator.wiring.numbers
    last_known = {number: LastKnownDoor(DoorState.CLOSED) for number in numbers}
    last_known.update(terminal.store.doors.last_known())
    events = await terminal.coordinator.reconcile(last_known)
    terminal.reporter.record_pending()
    log.info("doors reconciled: %d differed from what was last known", len(events))


async def run_terminal(config: TerminalConfig, stop: asyncio.Event, link: Link | None = None) -> None:
    terminal = await assemble(config, link)
    try:
        terminal.commands.apply_settings(terminal.store.settings.all())
        terminal.commands.recover()
        await reconcile(terminal)
        await _serve(terminal, stop)
    finally:
        await terminal.close()
    log.info("terminal %s stopped", config.locker_id)


async def _serve(terminal: Terminal, stop: asyncio.Event) -> None:
    app = create_kiosk_app(terminal.kiosk, ScreenSettings.from_config(terminal.config))
    kiosk = kiosk_server(app, terminal.config.kiosk.host, terminal.config.kiosk.port)
    parts: dict[str, Coroutine[Any, Any, None]] = {
        "door polling": terminal.coordinator.run(),
        "door reporting": terminal.reporter.run(),
        "outbox sender": terminal.sender.run(),
        "code sync": terminal.code_sync.run(),
        "commands": terminal.commands.run(),
        "reopen window": terminal.kiosk.reopening.run(),
    }
    tasks = [asyncio.create_task(part, name=name) for name, part in parts.items()]
    serving = asyncio.create_task(kiosk.serve(), name="kiosk api")
    stopping = asyncio.create_task(stop.wait(), name="stop")
    log.info("terminal %s serving the kiosk on %s:%d", terminal.config.locker_id, *_address(terminal))
    failure: TerminalPartFailed | None = None
    try:
        done, _ = await asyncio.wait([*tasks, serving, stopping], return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task is not stopping and not task.cancelled():
                error = task.exception()
                log.error("%s stopped; the terminal stops", task.get_name(), exc_info=error)
                failure = TerminalPartFailed(f"{task.get_name()} stopped: {error!r}")
    finally:
        kiosk.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.shield(serving), 5)
        for task in [*tasks, serving, stopping]:
            task.cancel()
        await asyncio.gather(*tasks, serving, stopping, return_exceptions=True)
    if failure is not None:
        raise failure


def _address(terminal: Terminal) -> tuple[str, int]:
    return terminal.config.kiosk.host, terminal.config.kiosk.port
