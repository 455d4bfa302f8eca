"""The terminal's composition root: the store, the bus and its boards, the door coordinator, the link and the
parts that work with them, wired from a `TerminalConfig`."""

from __future__ import annotations

from dataclasses import dataclass

from parcellocker.boards.connection import open_transport
from parcellocker.boards.eighta import EightABoard
from parcellocker.boards.kerong import TCP_PORT, KerongBoard
from parcellocker.boards.port import Bus, LockBoard
from parcellocker.terminal.code_sync import CodeSync
from parcellocker.terminal.commands import CommandRunner
from parcellocker.terminal.config import BusConfig, TerminalConfig
from parcellocker.terminal.doors import BusWiring, DoorCoordinator
from parcellocker.terminal.kiosk.desk import Kiosk
from parcellocker.terminal.kiosk.offline import OfflinePickupDesk
from parcellocker.terminal.kiosk.rental_desk import RentalDesk
from parcellocker.terminal.link.health import LinkHealth
from parcellocker.terminal.link.http import HttpLink
from parcellocker.terminal.link.mqtt import MqttLink
from parcellocker.terminal.link.port import EventKind, EventReceipt, Link, OutboxEvent
from parcellocker.terminal.link.rental_port import RentalLink
from parcellocker.terminal.reporting import DoorReporter
from parcellocker.terminal.sender import OutboxSender
from parcellocker.terminal.store import TerminalStore

SETTLING_OUTCOMES = frozenset({"parcel_stored", "parcel_picked_up"})
"""Door events whose outcome changes the locker's live codes: the code sheet is fetched again after them."""


@dataclass(slots=True)
class Terminal:
    config: TerminalConfig
    store: TerminalStore
    bus: Bus
    coordinator: DoorCoordinator
    link: Link
    health: LinkHealth
    reporter: DoorReporter
    sender: OutboxSender
    code_sync: CodeSync
    commands: CommandRunner
    kiosk: Kiosk

    async def close(self) -> None:
        """Release what `assemble` opened (the parts must have stopped)."""
        try:
            self.reporter.close()
            await self.link.close()
            await self.bus.close()
        finally:
            self.store.close()


def build_link(config: TerminalConfig) -> Link:
    server = config.server
    if config.link.transport == "mqtt":
        return MqttLink(
            config.link.broker_address(),
            config.locker_id,
            timeout=server.request_timeout,
            pickup_timeout=server.pickup_timeout,
            retry_initial=config.link.retry_initial,
            retry_max=config.link.retry_max,
            keepalive=config.link.keepalive,
            topic_root=config.link.topic_root,
        )
    return HttpLink(
        server.url, config.locker_id, server.key(), timeout=server.request_timeout, pickup_timeout=server.pickup_timeout
    )


async def open_bus(config: BusConfig) -> Bus:
    """Raises BoardConnectionError when the line cannot be opened."""
    default_port = TCP_PORT if config.protocol == "kerong" else None
    transport = await open_transport(config.url, baudrate=config.baudrate, default_tcp_port=default_port)
    return Bus(transport, config.settings())


def board_drivers(bus: Bus, wiring: BusWiring, config: BusConfig) -> dict[int, LockBoard]:
    drivers: dict[int, LockBoard] = {}
    for board in wiring.boards:
        if config.protocol == "kerong":
            drivers[board.address] = KerongBoard(
                bus, board.address, locks=board.locks, config=config.kerong.driver_config()
            )
        else:
            drivers[board.address] = EightABoard(
                bus, board.address, locks=board.locks, config=config.eighta.driver_config()
            )
    return drivers


async def assemble(config: TerminalConfig, link: Link | None = None) -> Terminal:
    """Everything wired, nothing started. `link` replaces the configured one (tests)."""
    link = link or build_link(config)
    store = TerminalStore.open(config.store)
    try:
        bus = await open_bus(config.bus)
    except BaseException:
        store.close()
        raise
    wiring = config.bus_wiring()
    coordinator = DoorCoordinator(wiring, board_drivers(bus, wiring, config.bus), settings=config.doors.settings())
    health = LinkHealth()
    code_sync = CodeSync(store, link, health, interval=config.link.code_sync_interval, retry=config.link.retry_max)

    def after_receipt(event: OutboxEvent, receipt: EventReceipt) -> None:
        if event.kind is EventKind.DOOR and receipt.outcome in SETTLING_OUTCOMES:
            code_sync.request()

    sender = OutboxSender(
        store,
        link,
        health,
        retry_initial=config.link.retry_initial,
        retry_max=config.link.retry_max,
        on_receipt=after_receipt,
    )
    reporter = DoorReporter(store, coordinator, on_recorded=sender.wake)
    health.when_up += [sender.wake, code_sync.request]
    commands = CommandRunner(
        store,
        link,
        health,
        coordinator,
        reporter,
        code_sync,
        wait=config.link.command_wait,
        retry_initial=config.link.retry_initial,
        retry_max=config.link.retry_max,
    )
    offline = OfflinePickupDesk(store, config.locker_id, config.offline.lockout_policy())
    rentals = (
        RentalDesk(config.locker_id, link, coordinator, reporter, health) if isinstance(link, RentalLink) else None
    )
    kiosk = Kiosk(config.locker_id, store, coordinator, reporter, link, health, offline, rentals=rentals)
    return Terminal(config, store, bus, coordinator, link, health, reporter, sender, code_sync, commands, kiosk)
