"""Keeps the terminal's copy of the code sheet current: at start, whenever asked (after a parcel was stored or
picked up here, or by a `sync_codes` command) and every `interval` seconds."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from parcellocker.terminal.link.health import LinkHealth
from parcellocker.terminal.link.port import CodeSheet, Link, LinkDown, LinkRefused
from parcellocker.terminal.store import TerminalStore
from parcellocker.wakeups import woken_within

log = logging.getLogger(__name__)


class CodeSync:
    def __init__(
        self, store: TerminalStore, link: Link, health: LinkHealth, *, interval: float, retry: float = 2.0
    ) -> None:
        self._store = store
        self._link = link
        self._health = health
        self.interval = interval
        self._retry = retry
        self._wanted = asyncio.Event()
        self.synced = asyncio.Event()
        """Set after each sync; cleared by whoever waits for the next one."""

    def request(self) -> None:
        """Sync soon (does not wait for it)."""
        self._wanted.set()

    async def sync(self) -> CodeSheet:
        """Fetch the sheet and keep it; raises LinkDown or LinkRefused."""
        sheet = await self._link.fetch_code_sheet()
        self._store.codes.replace(sheet, datetime.now(UTC))
        self._health.mark_up()
        log.info("code sheet %s: %d live codes", sheet.version, len(sheet.codes))
        self.synced.set()
        return sheet

    async def run(self) -> None:
        while True:
            self._wanted.clear()
            try:
                await self.sync()
                wait = self.interval
            except LinkDown as error:
                self._health.mark_down(error)
                wait = min(self._retry, self.interval)
            except LinkRefused as error:
                log.error("the server refused the code sheet: %s", error)
                wait = self.interval
            await woken_within(self._wanted, wait)
