"""Carries out the commands the server queues for this terminal, each once: a command is written down as started
before anything is done, so one the terminal was killed in the middle of is acknowledged as interrupted instead
of being done again (a door is never opened twice for one command)."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import math
from datetime import UTC, datetime

from parcellocker.terminal.code_sync import CodeSync
from parcellocker.terminal.doors import DoorControlError, DoorCoordinator, OpeningPurpose
from parcellocker.terminal.link.health import LinkHealth
from parcellocker.terminal.link.port import Command, Link, LinkDown, LinkError, LinkRefused
from parcellocker.terminal.reporting import DoorReporter
from parcellocker.terminal.store import TerminalStore

log = logging.getLogger(__name__)

DOOR_SETTINGS = ("poll_interval", "left_open_after", "opening_grace")


class CommandRunner:
    def __init__(
        self,
        store: TerminalStore,
        link: Link,
        health: LinkHealth,
        coordinator: DoorCoordinator,
        reporter: DoorReporter,
        code_sync: CodeSync,
        *,
        wait: float = 20.0,
        retry_initial: float = 0.5,
        retry_max: float = 15.0,
    ) -> None:
        self._store = store
        self._link = link
        self._health = health
        self._coordinator = coordinator
        self._reporter = reporter
        self._code_sync = code_sync
        self._wait = wait
        self._retry_initial = retry_initial
        self._retry_max = retry_max

    def apply_settings(self, settings: dict[str, float]) -> None:
        """Door timings and the code sync interval, from a set_config command or kept from an earlier one."""
        doors = {name: value for name, value in settings.items() if name in DOOR_SETTINGS}
        if doors:
            now = self._coordinator.settings
            self._coordinator.settings = dataclasses.replace(
                now,
                poll_interval=doors.get("poll_interval", now.poll_interval),
                left_open_after=doors.get("left_open_after", now.left_open_after),
                opening_grace=doors.get("opening_grace", now.opening_grace),
            )
        if "code_sync_interval" in settings:
            self._code_sync.interval = settings["code_sync_interval"]

    def recover(self) -> None:
        """At start: a command started and never finished was interrupted by the stop; it is not done again."""
        for record in self._store.commands.unacknowledged():
            if record.outcome is None:
                self._store.commands.finish(record.id, "interrupted", "the terminal stopped while carrying it out")

    async def run(self) -> None:
        after, delay = 0, self._retry_initial
        while True:
            try:
                await self._acknowledge_unacknowledged()
                commands = await self._link.next_commands(after, self._wait)
            except (LinkDown, LinkRefused) as error:
                self._health.mark_down(error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._retry_max)
                continue
            self._health.mark_up()
            delay = self._retry_initial
            for command in commands:
                after = max(after, command.id)
                await self.handle(command)

    async def handle(self, command: Command) -> None:
        """Carry out a command not seen before, then acknowledge it (one seen before is only acknowledged)."""
        if self._store.commands.get(command.id) is None:
            self._store.commands.start(command.id, command.kind, datetime.now(UTC))
            outcome, detail = await self._carry_out(command)
            self._store.commands.finish(command.id, outcome, detail)
            log.info("command %d %s: %s %s", command.id, command.kind, outcome, detail or "")
        await self._acknowledge_unacknowledged()

    async def _carry_out(self, command: Command) -> tuple[str, str | None]:
        if command.expires_at is not None and command.expires_at <= datetime.now(UTC):
            return "expired", None
        try:
            if command.kind == "open_compartment":
                number = int(command.body["compartment"])
                try:
                    await self._coordinator.open_compartment(number, OpeningPurpose.SERVICE)
                finally:
                    self._reporter.record_pending()
                return "done", f"compartment {number} opened"
            if command.kind == "sync_codes":
                sheet = await self._code_sync.sync()
                return "done", f"{len(sheet.codes)} live codes"
            if command.kind == "set_config":
                settings = {str(name): float(value) for name, value in dict(command.body["settings"]).items()}
                if not all(0 < value < math.inf for value in settings.values()):  # NaN or inf would stop a loop
                    raise ValueError(f"settings are seconds above 0 and finite, not {settings}")
                self.apply_settings(settings)
                self._store.settings.save(settings)
                return "done", None
        except (DoorControlError, LinkError, KeyError, TypeError, ValueError, OverflowError) as error:
            return "failed", f"{type(error).__name__}: {error}"
        return "failed", f"this terminal does not know the command {command.kind!r}"

    async def _acknowledge_unacknowledged(self) -> None:
        for record in self._store.commands.unacknowledged():
            if record.outcome is None:
                continue  # being carried out right now (a stop in the middle was marked by `recover`)
            await self._link.acknowledge_command(record.id, record.outcome, record.detail)
            self._store.commands.acknowledged(record.id)
