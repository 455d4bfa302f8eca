"""The kiosk's use cases at the terminal. A pickup is asked of the server while it can be reached and checked by
the terminal itself otherwise; deposits, drop-offs, collections, reopening after a pickup and the couriers' list of
parcels to collect need the server. Whatever opens a door, the events it caused are in the store before the kiosk
gets its answer."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NoReturn

from parcellocker.terminal.doors import DoorControlError, DoorCoordinator, OpeningPurpose
from parcellocker.terminal.kiosk.errors import (
    BadInput,
    DoorDidNotOpen,
    NotReady,
    RefusedByServer,
    ReopenRefused,
    ServerUnreachable,
    TooManyTries,
)
from parcellocker.terminal.kiosk.offline import OfflinePickupDesk
from parcellocker.terminal.kiosk.reopening import ReopenWindow
from parcellocker.terminal.link.health import LinkHealth
from parcellocker.terminal.link.port import CompartmentToOpen, EventKind, Link, LinkDown, LinkRefused, ParcelToCollect
from parcellocker.terminal.reporting import DoorReporter
from parcellocker.terminal.store import TerminalStore

log = logging.getLogger(__name__)

CLOSE_REPORT_WAIT = 3.0
"""Before asking the server to reopen, how long the kiosk waits for the door's close to reach it."""


@dataclass(frozen=True, slots=True)
class Opened:
    compartment: int
    shipment_id: str
    checked_by: str
    """"server", or "terminal" for a pickup checked offline."""
    tracking_number: str | None = None


class Kiosk:
    def __init__(
        self,
        locker_id: str,
        store: TerminalStore,
        coordinator: DoorCoordinator,
        reporter: DoorReporter,
        link: Link,
        health: LinkHealth,
        offline: OfflinePickupDesk,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        *,
        reopening: ReopenWindow | None = None,
    ) -> None:
        self.locker_id = locker_id
        self._store = store
        self._coordinator = coordinator
        self._reporter = reporter
        self._link = link
        self._health = health
        self._offline = offline
        self._now = now
        self.reopening = reopening or ReopenWindow(coordinator)

    async def pick_up(self, *, code: str | None = None, qr_token: str | None = None) -> Opened:
        self._check_ready()
        if (code is None) == (qr_token is None):
            raise BadInput("give either the pickup code or the QR token")
        answer = await self._ask_server_for_pickup(code, qr_token) if self._health.reachable else None
        if answer is not None:
            self._store.codes.mark_used(answer.shipment_id, self._now())  # no second opening offline
            try:
                await self._open(answer.compartment, OpeningPurpose.PICKUP)
            except DoorDidNotOpen:
                self._store.codes.unmark_used(answer.shipment_id)
                raise
            self.reopening.grant(answer.compartment, answer.shipment_id)
            return Opened(answer.compartment, answer.shipment_id, "server", answer.tracking_number)
        match = self._offline.check(code=code, qr_token=qr_token, now=self._now())
        log.info("pickup checked offline: compartment %d (event %d)", match.code.compartment, match.seq)
        try:
            await self._open(match.code.compartment, OpeningPurpose.PICKUP)
        except DoorDidNotOpen:
            self._offline.door_tried(match, opened=False)
            raise
        self._offline.door_tried(match, opened=True)
        self.reopening.grant(match.code.compartment, match.code.shipment_id)
        return Opened(match.code.compartment, match.code.shipment_id, "terminal")

    async def reopen_after_pickup(self, shipment_id: str) -> Opened:
        """Open the compartment of a pickup just completed again (see reopening.py for when it is allowed)."""
        self._check_ready()
        number = self.reopening.check(shipment_id)
        await self._close_reported(number)
        try:
            await self._link.reopen_after_pickup(shipment_id, number)
        except LinkDown as error:
            self._health.mark_down(error)
            raise ServerUnreachable(
                "the locker cannot reach its server to make sure the compartment is still yours; please call for help"
            ) from error
        except LinkRefused as error:
            raise _passed_on(error) from None
        self._health.mark_up()
        await self._open(number, OpeningPurpose.PICKUP)
        self.reopening.grant(number, shipment_id)
        return Opened(number, shipment_id, "server")

    async def sign_in_courier(self, courier_id: str, pin: str) -> str:
        try:
            return await self._link.sign_in_courier(courier_id, pin)
        except LinkDown as error:
            self._server_down(error)
        except LinkRefused as error:
            raise _passed_on(error) from None

    async def deposit(self, courier_token: str, tracking_number: str, reachable: bool = False) -> Opened:
        """`reachable`: the server is asked for a compartment within reach (accessibility)."""
        self._check_ready()
        try:
            answer = await self._link.deposit(courier_token, tracking_number, reachable)
        except LinkDown as error:
            self._server_down(error)
        except LinkRefused as error:
            raise _passed_on(error) from None
        return await self._open_for_deposit(answer)

    async def report_deposit_problem(self, courier_token: str, tracking_number: str, problem: str) -> Opened:
        """The parcel does not fit, or the door did not open: the server offers another compartment."""
        self._check_ready()
        try:
            answer = await self._link.report_deposit_problem(courier_token, tracking_number, problem)
        except LinkDown as error:
            self._server_down(error)
        except LinkRefused as error:
            raise _passed_on(error) from None
        return await self._open_for_deposit(answer)

    async def parcels_to_collect(self, courier_token: str) -> list[ParcelToCollect]:
        """The expired parcels of the signed-in courier's carrier waiting here."""
        try:
            return await self._link.parcels_to_collect(courier_token)
        except LinkDown as error:
            self._health.mark_down(error)
            raise ServerUnreachable("the locker cannot reach its server just now; the list must wait") from error
        except LinkRefused as error:
            raise _passed_on(error) from None

    async def collect(self, courier_token: str, tracking_number: str) -> Opened:
        """A parcel on the courier's collection list: its compartment opens; the door closing makes it collected."""
        self._check_ready()
        try:
            answer = await self._link.collect(courier_token, tracking_number)
        except LinkDown as error:
            self._health.mark_down(error)
            raise ServerUnreachable("the locker cannot reach its server just now; collecting must wait") from error
        except LinkRefused as error:
            raise _passed_on(error) from None
        self._health.mark_up()
        await self._open(answer.compartment, OpeningPurpose.COLLECT)
        return Opened(answer.compartment, answer.shipment_id, "server", answer.tracking_number)

    async def drop_off(self, code: str, reachable: bool = False) -> Opened:
        """A sender's drop-off code: the server gives a compartment the parcel fits (only online: it claims one)."""
        self._check_ready()
        return await self._open_for_dropoff(lambda: self._link.drop_off(code, reachable))

    async def report_dropoff_problem(self, code: str, problem: str) -> Opened:
        """The sender's parcel does not fit, or the door did not open: the server offers another compartment."""
        self._check_ready()
        return await self._open_for_dropoff(lambda: self._link.report_dropoff_problem(code, problem))

    def status(self) -> dict[str, Any]:
        snapshot = self._coordinator.snapshot
        return {
            "locker_id": self.locker_id,
            "ready": self._coordinator.reconciled,
            "link": {"up": self._health.up, "error": self._health.error},
            "outbox_pending": len(self._store.outbox.pending(limit=10_000)),
            "outbox_rejected": len(self._store.outbox.rejected()),
            "codes_synced_at": self._store.codes.synced_at(),
            "doors": [
                {
                    "compartment": door.compartment,
                    "door": door.door,
                    "since": door.since,
                    "opened_for": door.opened_for,
                    "left_open": door.left_open,
                    "current": snapshot.is_current(door.compartment),
                }
                for door in snapshot.doors.values()
            ],
            "boards": [
                {"board": board.board, "condition": board.condition, "error": board.error}
                for board in snapshot.boards.values()
            ],
        }

    async def _ask_server_for_pickup(self, code: str | None, qr_token: str | None) -> CompartmentToOpen | None:
        """The server's answer, or None when it cannot be reached (the terminal checks the pickup itself)."""
        try:
            answer = await self._link.pick_up(code=code, qr_token=qr_token)
        except LinkDown as error:
            self._health.mark_down(error)
            return None
        except LinkRefused as error:
            if error.status == 429:
                raise TooManyTries(error.message, int(error.details.get("retry_after_seconds", 1))) from None
            if error.retry_later:  # the server does not take this terminal's key: check it here
                log.error("the server refused the terminal's key: %s", error)
                return None
            raise _passed_on(error) from None
        self._health.mark_up()
        return answer

    async def _open_for_dropoff(self, ask: Callable[[], Awaitable[CompartmentToOpen]]) -> Opened:
        try:
            answer = await ask()
        except LinkDown as error:
            self._health.mark_down(error)
            raise ServerUnreachable("the locker cannot reach its server just now; sending must wait") from error
        except LinkRefused as error:
            if error.status == 429:
                raise TooManyTries(error.message, int(error.details.get("retry_after_seconds", 1))) from None
            raise _passed_on(error) from None
        self._health.mark_up()
        return await self._open_for_deposit(answer)

    async def _open_for_deposit(self, answer: CompartmentToOpen) -> Opened:
        await self._open(answer.compartment, OpeningPurpose.DEPOSIT)
        return Opened(answer.compartment, answer.shipment_id, "server", answer.tracking_number)

    async def _open(self, number: int, purpose: OpeningPurpose) -> None:
        try:
            await self._coordinator.open_compartment(number, purpose)
        except DoorControlError as error:  # the lock stayed shut, the board failed, or it is not on this bus
            raise DoorDidNotOpen(
                f"compartment {number} did not open; please ask for help", compartment=number
            ) from error
        finally:
            self._reporter.record_pending()

    async def _close_reported(self, number: int) -> None:
        """Wait until the events of compartment `number`'s door have reached the server (ReopenRefused if they
        do not within CLOSE_REPORT_WAIT s): the server allows a reopen only once it knows the door closed."""
        self._reporter.record_pending()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + CLOSE_REPORT_WAIT
        while any(
            event.kind is EventKind.DOOR and event.body.get("compartment") == number
            for event in self._store.outbox.pending(limit=10_000)
        ):
            if loop.time() > deadline:
                raise ReopenRefused(
                    f"the locker is still telling its server that compartment {number} closed; try again in a moment"
                )
            await asyncio.sleep(0.05)

    def _check_ready(self) -> None:
        if not self._coordinator.reconciled:
            raise NotReady("the locker is starting; try again in a moment")

    def _server_down(self, error: LinkDown) -> NoReturn:
        self._health.mark_down(error)
        raise ServerUnreachable("the locker cannot reach its server just now; deposits must wait") from error


def _passed_on(error: LinkRefused) -> RefusedByServer:
    return RefusedByServer(error.status, error.code, error.message, error.details)
